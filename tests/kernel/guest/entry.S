/*
 * entry.S: the guest's first instruction and its Mach system-call traps.
 *
 * GNU Mach starts a boot module like a Unix program: %rsp points at argc,
 * then argv[] and a null, then envp[] and a null.  _start hands that pointer
 * to guest_start() (runtime.c) on a 16-byte aligned stack and never returns.
 *
 * Traps on x86_64: the trap number (negative) goes in %rax, arguments in
 * %rdi, %rsi, %rdx, %r10, %r8, %r9 (the kernel reads %r10 where the C ABI
 * has %rcx, because `syscall' overwrites %rcx with the return address), and
 * a seventh argument stays where the C caller put it, at 8(%rsp) on entry
 * to the stub: the kernel copies it from the user stack.  So each stub is a
 * plain leaf function: move the number, move %rcx, trap, return.
 *
 * Traps on i386: the trap number (negative) goes in %eax and the kernel
 * copies the arguments from the user stack, above the stub's return
 * address, where the C caller put them: the stub moves the number and goes
 * through the call gate (lcall $7, $0, GNU Mach's SVC).  A new thread's or
 * task's argument is on its stack already (runtime.c puts it there).
 */
/* The traps the guests call, each through its architecture's mach_trap. */
.macro	all_traps
	/* Numbers from GNU Mach's include/mach/syscall_sw.h. */
	mach_trap mach_msg_trap,	-25
	mach_trap mach_reply_port,	-26
	mach_trap mach_thread_self,	-27
	mach_trap mach_task_self,	-28
	mach_trap mach_host_self,	-29
	mach_trap swtch_pri,		-59
	mach_trap swtch,		-60

	/* mosaic's trap form of vm_copy_from_object (syscall_vm_copy_from_object,
	 * kern/ipc_mig.c); a kernel without mosaic answers
	 * KERN_INVALID_ARGUMENT. */
	mach_trap vm_copy_from_object_trap,	-120
.endm

#if defined(__x86_64__)
	.text
	.globl	_start
	.type	_start, @function
_start:
	movq	%rsp, %rdi
	andq	$-16, %rsp
	xorl	%ebp, %ebp
	call	guest_start
1:	hlt			/* not reached: a privileged fault if it is */
	jmp	1b
	.size	_start, . - _start

/*
 * A thread guest_thread_start (runtime.c) made begins here: %rdi holds its
 * struct guest_thread, %rsp the top of its stack.  Same shape as _start.
 */
	.globl	guest_thread_entry
	.type	guest_thread_entry, @function
guest_thread_entry:
	andq	$-16, %rsp
	xorl	%ebp, %ebp
	call	guest_thread_main
1:	hlt			/* not reached */
	jmp	1b
	.size	guest_thread_entry, . - guest_thread_entry

/*
 * The first thread of a task guest_task_start (runtime.c) made begins here:
 * %rdi holds the child's copy of the runtime's task record.
 */
	.globl	guest_task_entry
	.type	guest_task_entry, @function
guest_task_entry:
	andq	$-16, %rsp
	xorl	%ebp, %ebp
	call	guest_task_main
1:	hlt			/* not reached */
	jmp	1b
	.size	guest_task_entry, . - guest_task_entry

.macro	mach_trap name, number
	.globl	\name
	.type	\name, @function
\name:
	movq	$\number, %rax
	movq	%rcx, %r10
	syscall
	ret
	.size	\name, . - \name
.endm

	all_traps

#elif defined(__i386__)
	.text
	.globl	_start
	.type	_start, @function
_start:
	movl	%esp, %eax
	andl	$-16, %esp
	subl	$12, %esp
	pushl	%eax
	xorl	%ebp, %ebp
	call	guest_start
1:	hlt
	jmp	1b
	.size	_start, . - _start

	/* runtime.c left the stack as a call would: a return address of 0,
	 * then the argument, with the alignment a call expects. */
	.globl	guest_thread_entry
	.type	guest_thread_entry, @function
guest_thread_entry:
	xorl	%ebp, %ebp
	jmp	guest_thread_main
	.size	guest_thread_entry, . - guest_thread_entry

	.globl	guest_task_entry
	.type	guest_task_entry, @function
guest_task_entry:
	xorl	%ebp, %ebp
	jmp	guest_task_main
	.size	guest_task_entry, . - guest_task_entry

.macro	mach_trap name, number
	.globl	\name
	.type	\name, @function
\name:
	movl	$\number, %eax
	lcall	$7, $0
	ret
	.size	\name, . - \name
.endm

	all_traps
#else
#error "entry.S: x86_64 or i386"
#endif

	.section .note.GNU-stack, "", %progbits
