# shellcheck shell=bash
# tests/lib.sh: what the shell integration tests (test_cli.sh,
# test_frontline.sh) share: counting checks ("ok - ..." / "FAIL - ..."),
# cleaning up on exit, and starting guanjiad and waiting for its ready line.
#
# Source it after setting GUANJIAD, GJ, WORK (a fresh directory, removed on
# exit) and DATA; it sets the EXIT trap.  Knobs, read when used:
#   SHOW_BYTES  how much of stdout and stderr a failed expect_rc shows (500)
#   ERR_LINES   how many of the daemon's last stderr lines are shown when
#               anything failed (empty: all of them)
#   watch_pid   a background `gj watch` to stop before the daemon, if any

daemon_pid=""
watch_pid=""
passed=0
failed=0
summarized=0

summary() {
	summarized=1
	echo "$passed passed, $failed failed"
}

cleanup() {
	local rc=$?
	set +e
	if [ -n "$watch_pid" ] && kill -0 "$watch_pid" 2>/dev/null; then
		kill "$watch_pid" 2>/dev/null
		wait "$watch_pid" 2>/dev/null
	fi
	if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
		kill -TERM "$daemon_pid" 2>/dev/null
		for _ in $(seq 100); do
			kill -0 "$daemon_pid" 2>/dev/null || break
			sleep 0.05
		done
		if kill -0 "$daemon_pid" 2>/dev/null; then
			echo "# guanjiad did not stop on SIGTERM; killing it" >&2
			kill -KILL "$daemon_pid" 2>/dev/null
		fi
		wait "$daemon_pid" 2>/dev/null
	fi
	exec 3<&-
	if [ "$rc" -ne 0 ] || [ "$failed" -ne 0 ]; then
		if [ -s "$WORK/daemon.err" ]; then
			if [ -n "${ERR_LINES:-}" ]; then
				echo "# guanjiad's stderr (last $ERR_LINES lines):" >&2
				tail -n "$ERR_LINES" "$WORK/daemon.err" | sed 's/^/#   /' >&2
			else
				echo "# guanjiad's stderr:" >&2
				sed 's/^/#   /' "$WORK/daemon.err" >&2
			fi
		fi
		if [ "$summarized" -eq 0 ]; then
			failed=$((failed + 1))
			echo "FAIL - the test stopped early (status $rc)"
			summary
		fi
	fi
	rm -rf "$WORK"
	if [ "$rc" -eq 0 ] && [ "$failed" -ne 0 ]; then
		rc=1
	fi
	exit "$rc"
}
trap cleanup EXIT

pass() {
	passed=$((passed + 1))
	echo "ok - $1"
}

fail() {
	failed=$((failed + 1))
	echo "FAIL - $1"
	shift
	for line in "$@"; do
		echo "#   $line"
	done
}

# run CMD...: runs it with stdout in $WORK/out, stderr in $WORK/err and its
# exit status in $rc, whatever that status is.
run() {
	rc=0
	"$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
}

# expect_rc WANT DESCRIPTION CMD...: the command exits with status WANT.
expect_rc() {
	local want=$1 what=$2 show=${SHOW_BYTES:-500}
	shift 2
	run "$@"
	if [ "$rc" -eq "$want" ]; then
		pass "$what (exit $rc)"
	else
		fail "$what: exit $rc, expected $want" "stdout: $(head -c "$show" "$WORK/out")" \
			"stderr: $(head -c "$show" "$WORK/err")"
	fi
}

gj() {
	"$GJ" --data "$DATA" "$@"
}

# start_daemon ARGS...: start guanjiad on $DATA with ARGS (stdout on fd 3,
# stderr in $WORK/daemon.err) and pass when it says it is ready, within
# 15 s; otherwise fail and exit.
start_daemon() {
	local ready=""

	mkfifo "$WORK/daemon.out"
	"$GUANJIAD" --data "$DATA" "$@" >"$WORK/daemon.out" 2>"$WORK/daemon.err" &
	daemon_pid=$!
	exec 3<"$WORK/daemon.out"
	if IFS= read -r -t 15 -u 3 ready && [[ $ready == "guanjiad ready:"* ]]; then
		pass "guanjiad says it is ready: ${ready#guanjiad ready: }"
	else
		fail "guanjiad did not print 'guanjiad ready:' within 15 s" "got: '$ready'"
		summary
		exit 1
	fi
	# fd 3 stays open until the end: the daemon's stdout always has a reader.
}
