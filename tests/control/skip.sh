#!/bin/sh
# A test that cannot run in this build says why and is skipped.
echo "SKIP: $*"
exit 77
