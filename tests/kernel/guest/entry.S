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
 */
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

	/* Numbers from GNU Mach's include/mach/syscall_sw.h. */
	mach_trap mach_msg_trap,	-25
	mach_trap mach_reply_port,	-26
	mach_trap mach_thread_self,	-27
	mach_trap mach_task_self,	-28
	mach_trap mach_host_self,	-29
	mach_trap swtch_pri,		-59
	mach_trap swtch,		-60

	/* mosaic's trap form of vm_read_fast (mach-port/vmc_server.h,
	 * MOSAIC_TRAP_VM_READ_FAST); a kernel without mosaic answers
	 * KERN_INVALID_ARGUMENT. */
	mach_trap vm_read_fast_trap,	-120

	.section .note.GNU-stack, "", %progbits
