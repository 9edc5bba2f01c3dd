/* The shipped policy file and holiday calendar, embedded so build/doudi works from any directory. */
	.section .rodata
	.global dd_default_policy
	.global dd_default_policy_end
dd_default_policy:
	.incbin "policy/default.json"
dd_default_policy_end:
	.byte 0
	.global dd_default_calendar
	.global dd_default_calendar_end
dd_default_calendar:
	.incbin "policy/calendar-cn.json"
dd_default_calendar_end:
	.byte 0
	.section .note.GNU-stack,"",@progbits
