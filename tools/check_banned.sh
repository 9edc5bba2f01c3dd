#!/bin/sh
# Fails when a banned call (unbounded copy or unchecked conversion) appears in src/.
if grep -nE '(^|[^a-z_])(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atof)[[:space:]]*\(' src/*/*.c; then
	echo "banned call found (see STYLE.md)"
	exit 1
fi
echo "banned calls: none"
