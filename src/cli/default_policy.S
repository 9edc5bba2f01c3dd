/* The shipped policy file, embedded so build/doudi works from any directory. */
	.section .rodata
	.global dd_default_policy
	.global dd_default_policy_end
dd_default_policy:
	.incbin "policy/default.json"
dd_default_policy_end:
	.byte 0
	.section .note.GNU-stack,"",@progbits
