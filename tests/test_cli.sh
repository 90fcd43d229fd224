#!/usr/bin/env bash
# tests/test_cli.sh: integration test of the `gj` command-line tool against
# the real guanjiad, on a fresh data directory and a manual clock.
#
#   tests/test_cli.sh PATH/TO/guanjiad PATH/TO/gj
#
# Scenario (R17, public-area repair; the clock starts at 10:00:00 +08:00):
#   A and B are reported at 10:00; B is dispatched at 10:05 with
#   severity=major (so B's dispatch clock stops before it warns and no
#   minor_repair clock starts); A is never dispatched.  Expected alerts:
#   A's WARNING at 10:08:00 and A's BREACH at 10:10:00, nothing for B.
#   At 10:09:59 there must be no breach yet; at 10:10:00 exactly one.
# Then the working-day calendar (gj calendar, --calendar), gj explain on a
# moderate repair C dispatched at 10:10 (R17: 3 working days, due
# 2026-10-13 17:30: Saturday 10-10 is a make-up working day), gj recompute
# (nothing moves; refused for a butler), and the exit statuses of gj for
# refusals (1), usage errors (2) and an unreachable daemon (3).
#
# Prints "ok - ..." / "FAIL - ..." per check and ends with
# "N passed, M failed"; exits non-zero when anything failed.
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 GUANJIAD GJ" >&2
	exit 2
fi
GUANJIAD=$1
GJ=$2

# Hermetic: nothing from the caller's environment chooses a daemon or a role.
unset GUANJIA_DATA GJ_AS GJ_ROLE

START=2026-10-09T10:00:00+08:00
START_MS=1791511200000            # $START in ms since the epoch
MIN=60000

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gj-cli-test.XXXXXX")
DATA=$WORK/data

# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# py CODE ARGS...: python3 on stdin; the code raises (exits non-zero) when a
# check does not hold, printing why.
py() {
	local code=$1
	shift
	python3 -c "import json, sys
$code" "$@"
}

# check_py DESCRIPTION FILE CODE [ARGS...]: CODE (python; `lines` = the JSON
# documents of FILE, one per line; ARGS are sys.argv[2:]) must run without an
# exception.
check_py() {
	local what=$1 file=$2 code=$3 why
	shift 3
	if why=$(py "lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
$code" "$file" "$@" 2>&1); then
		pass "$what"
	else
		fail "$what" "$(echo "$why" | tail -n 1)" "input: $(head -c 1500 "$file")"
	fi
}

# --- start the daemon and wait for its ready line --------------------------

start_daemon --manual-clock "$START"

expect_rc 0 "gj clock prints the manual start time" gj clock
if [ "$(cat "$WORK/out")" = "$START" ]; then
	pass "the daemon's clock is $START"
else
	fail "the daemon's clock is $(cat "$WORK/out"), expected $START"
fi

# --- open A and B ------------------------------------------------------------

expect_rc 0 "open ticket A" gj --as li --role butler open r17_repair location=lobby
A=$(cat "$WORK/out")
expect_rc 0 "open ticket B" gj --as li --role butler open r17_repair location=car_park
B=$(cat "$WORK/out")
if [[ $A =~ ^[0-9]+$ && $B =~ ^[0-9]+$ && $A != "$B" ]]; then
	pass "open prints the new ticket's id only (A=$A, B=$B)"
else
	fail "open should print two different ticket ids, got A='$A' B='$B'"
	summary
	exit 1
fi

# --- watch the alerts from the next journal record on -----------------------
# --from makes the watch see every record after last_seq even if its SUB
# socket connects late (the gap is filled by replay), so there is no race
# with the clock advances below.  Two alerts are expected: A's warning and
# A's breach.
expect_rc 0 "status --json" gj status --json
cp "$WORK/out" "$WORK/status.json"
last_seq=$(py 'print(json.load(open(sys.argv[1]))["status"]["last_seq"])' "$WORK/status.json")
timeout 20 "$GJ" --data "$DATA" watch alert. --from $((last_seq + 1)) --count 2 --json \
	>"$WORK/watch.out" 2>"$WORK/watch.err" &
watch_pid=$!

# --- 10:05: dispatch B ---------------------------------------------------------

expect_rc 0 "clock advance 5m" gj clock advance 5m
if [ "$(cat "$WORK/out")" = "2026-10-09T10:05:00+08:00" ]; then
	pass "clock advance 5m prints 10:05:00"
else
	fail "clock advance 5m printed '$(cat "$WORK/out")'"
fi

expect_rc 0 "fire B dispatch (severity=major)" \
	gj --as li --role butler fire "$B" dispatch technician=zhang severity=major
if grep -q "^$B r17_repair \[main\] dispatched" "$WORK/out"; then
	pass "fire prints B's new state line: $(cat "$WORK/out")"
else
	fail "fire printed '$(cat "$WORK/out")'"
fi

expect_rc 0 "show B --json" gj show "$B" --json
check_py "B is dispatched, its dispatch clock stopped, no minor_repair clock" "$WORK/out" "
t = lines[0]['ticket']
assert t['state'] == 'dispatched', t['state']
c = {x['id']: x for x in t['clocks']}
assert c['dispatch']['state'] == 'CLOCK_STOPPED', c['dispatch']
assert not c['dispatch']['warned'] and not c['dispatch']['breached'], c['dispatch']
assert c['minor_repair']['state'] == 'CLOCK_IDLE', c['minor_repair']
f = {x['name']: x['value'] for x in t['fields']}
assert f.get('technician') == 'zhang' and f.get('severity') == 'major', f
"

# --- 10:09:59: warned, not breached ------------------------------------------

expect_rc 0 "clock advance 4m59s" gj clock advance 4m59s
if [ "$(cat "$WORK/out")" = "2026-10-09T10:09:59+08:00" ]; then
	pass "clock advance 4m59s prints 10:09:59"
else
	fail "clock advance 4m59s printed '$(cat "$WORK/out")'"
fi

expect_rc 0 "replay --prefix alert. --json at 10:09:59" gj replay --prefix alert. --json
check_py "at 10:09:59 only A's warning (at 10:08:00), no breach" "$WORK/out" "
A, start, MIN = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
assert len(lines) == 1, '%d alerts: %r' % (len(lines), lines)
r = lines[0]; al = r['alert']
assert al['level'] == 'WARNING', al['level']
assert al['ticket_id'] == A, al
assert r['at'] == start + 8 * MIN, r['at']
assert al['deadline'] == start + 10 * MIN, al['deadline']
assert al['late_ms'] == -2 * MIN, al['late_ms']
assert al['notify_roles'] == ['butler'], al['notify_roles']
assert r['topic'] == 'alert.main.r17_repair.dispatch', r['topic']
assert not any(l['alert']['level'] == 'BREACH' for l in lines)
" "$A" "$START_MS" "$MIN"

expect_rc 0 "list --overdue --json at 10:09:59" gj list --overdue --json
check_py "no ticket is overdue at 10:09:59" "$WORK/out" "
assert lines[0]['tickets'] == [], lines[0]['tickets']
"

# --- 10:10:00: A breaches ------------------------------------------------------

expect_rc 0 "clock advance 1s" gj clock advance 1s
if [ "$(cat "$WORK/out")" = "2026-10-09T10:10:00+08:00" ]; then
	pass "clock advance 1s prints 10:10:00"
else
	fail "clock advance 1s printed '$(cat "$WORK/out")'"
fi

watch_rc=0
wait "$watch_pid" || watch_rc=$?
watch_pid=""
if [ "$watch_rc" -eq 0 ]; then
	pass "gj watch alert. --count 2 exits 0 after the two alerts"
else
	fail "gj watch exited $watch_rc (124: timed out before 2 alerts)" \
		"stdout: $(head -c 1500 "$WORK/watch.out")" "stderr: $(head -c 500 "$WORK/watch.err")"
fi
check_py "watch saw A's warning at 10:08:00, then exactly one breach: A's at 10:10:00; none for B" \
	"$WORK/watch.out" "
A, B, start, MIN = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
assert len(lines) == 2, '%d records: %r' % (len(lines), lines)
assert all(l['topic'].startswith('alert.') for l in lines), [l['topic'] for l in lines]
assert lines[0]['seq'] < lines[1]['seq'], 'not in sequence order'
w, b = lines
assert w['alert']['level'] == 'WARNING' and w['alert']['ticket_id'] == A, w
assert w['at'] == start + 8 * MIN, w['at']
breaches = [l for l in lines if l['alert']['level'] == 'BREACH']
assert len(breaches) == 1, breaches
al = b['alert']
assert al['level'] == 'BREACH', al
assert al['ticket_id'] == A, al
assert b['at'] == start + 10 * MIN, b['at']
assert al['deadline'] == start + 10 * MIN, al['deadline']
assert al['late_ms'] == 0, al['late_ms']
assert al['clock'] == 'dispatch' and al['rule'] == 'R17', al
assert al['notify_roles'] == ['cs_lead'], al['notify_roles']
assert not al['delayed'], al
assert not any(l['alert']['ticket_id'] == B for l in lines), 'an alert for B'
" "$A" "$B" "$START_MS" "$MIN"

expect_rc 0 "replay --prefix alert. (text) at 10:10:00" gj replay --prefix alert.
n_breach=$(grep -c " BREACH " "$WORK/out" || true)
if [ "$n_breach" -eq 1 ] &&
	grep -q "^#[0-9]* 2026-10-09T10:10:00+08:00 alert\.main\.r17_repair\.dispatch ticket $A: BREACH " "$WORK/out" &&
	! grep -q "ticket $B:" "$WORK/out"; then
	pass "the text replay shows one breach, ticket $A's at 10:10:00"
else
	fail "the text replay should show one breach, ticket $A's at 10:10:00" "$(cat "$WORK/out")"
fi

expect_rc 0 "list --overdue --json at 10:10:00" gj list --overdue --json
check_py "only A is overdue at 10:10:00" "$WORK/out" "
ids = [t['id'] for t in lines[0]['tickets']]
assert ids == [int(sys.argv[2])], ids
" "$A"

expect_rc 0 "show A" gj show "$A"
if grep -q "^state: *reported" "$WORK/out" &&
	grep -q "BREACHED at 2026-10-09T10:10:00+08:00" "$WORK/out"; then
	pass "show A: still reported, dispatch clock BREACHED at 10:10:00"
else
	fail "show A should say reported and BREACHED at 10:10:00" "$(cat "$WORK/out")"
fi

# --- the working-day calendar ----------------------------------------------

# The issue's vectors: start date + N working days = last day.
for v in "2025-09-30 3 2025-10-11" "2026-02-13 3 2026-02-25" "2025-01-24 3 2025-02-05" \
	"2026-09-30 3 2026-10-10" "2026-09-30 15 2026-10-27" "2026-09-30 30 2026-11-17"; do
	set -- $v
	run gj calendar add "$1" "$2"
	if [ "$rc" -eq 0 ] && [ "$(cat "$WORK/out")" = "$3" ]; then
		pass "calendar add $1 $2 = $3"
	else
		fail "calendar add $1 $2: got '$(cat "$WORK/out")' (exit $rc), want $3" "$(cat "$WORK/err")"
	fi
done
run gj calendar show 2026
if [ "$rc" -eq 0 ] && grep -q "248 working days" "$WORK/out" && grep -q "2026-10-10" "$WORK/out"; then
	pass "calendar show 2026: 248 working days, 2026-10-10 a make-up day"
else
	fail "calendar show 2026" "$(cat "$WORK/out" "$WORK/err")"
fi
expect_rc 1 "calendar add with a bad date is refused" gj calendar add 2026-02-30 3
expect_rc 2 "calendar add without N is a usage error" gj calendar add 2026-02-01

run gj calendar add 2026-09-30 3 --calendar cn
if [ "$rc" -eq 0 ] && [ "$(cat "$WORK/out")" = "2026-10-10" ]; then
	pass "calendar add 2026-09-30 3 --calendar cn = 2026-10-10"
else
	fail "calendar add 2026-09-30 3 --calendar cn: got '$(cat "$WORK/out")' (exit $rc), want 2026-10-10" \
		"$(cat "$WORK/err")"
fi
run gj calendar add 2026-09-30 3 --estate main
if [ "$rc" -eq 0 ] && [ "$(cat "$WORK/out")" = "2026-10-10" ]; then
	pass "calendar add 2026-09-30 3 --estate main = 2026-10-10"
else
	fail "calendar add 2026-09-30 3 --estate main: got '$(cat "$WORK/out")' (exit $rc), want 2026-10-10" \
		"$(cat "$WORK/err")"
fi
expect_rc 1 "calendar add --calendar nope: an unknown calendar is refused" \
	gj calendar add 2026-09-30 3 --calendar nope
if grep -q "^gj: refused (.*nope" "$WORK/err" && [ ! -s "$WORK/out" ]; then
	pass "the refusal names the unknown calendar: $(cat "$WORK/err")"
else
	fail "calendar add --calendar nope should say refused and name 'nope' on stderr" \
		"stdout: $(cat "$WORK/out")" "stderr: $(cat "$WORK/err")"
fi
expect_rc 2 "calendar with both --calendar and --estate is a usage error" \
	gj calendar show 2026 --calendar cn --estate main

# --- gj explain: how a deadline was derived ----------------------------------

expect_rc 0 "open ticket C" gj --as li --role butler open r17_repair location=stairwell
C=$(cat "$WORK/out")
expect_rc 0 "fire C dispatch (severity=moderate) at 10:10" \
	gj --as li --role butler fire "$C" dispatch technician=x severity=moderate
expect_rc 0 "show C --json" gj show "$C" --json
check_py "C's moderate_repair clock runs, due 2026-10-13 17:30 +08:00" "$WORK/out" "
c = {x['id']: x for x in lines[0]['ticket']['clocks']}['moderate_repair']
assert c['state'] == 'CLOCK_RUNNING', c
# 4 days 7h30m after $START (10:00 on 2026-10-09)
assert c['deadline'] == int(sys.argv[2]) + (4 * 24 * 60 + 7 * 60 + 30) * 60000, c['deadline']
" "$START_MS"
expect_rc 0 "explain C" gj explain "$C"
if grep -q "moderate_repair" "$WORK/out" && grep -q "working days" "$WORK/out" &&
	grep -q "2026-10-10.*make-up" "$WORK/out" &&
	grep -q "deadline 2026-10-13T17:30:00+08:00" "$WORK/out"; then
	pass "explain C names moderate_repair, counts working days (10-10 a make-up day), deadline 2026-10-13T17:30"
else
	fail "explain C should name moderate_repair, 'working days', 2026-10-10 as a make-up day and the deadline 2026-10-13T17:30:00+08:00" \
		"$(cat "$WORK/out" "$WORK/err")"
fi
expect_rc 0 "explain C --json" gj explain "$C" --json
check_py "explain --json: the ticket's id and its lines" "$WORK/out" "
ex = lines[0]['explanation']
assert ex['ticket_id'] == int(sys.argv[2]), ex
assert any('moderate_repair' in l for l in ex['lines']), ex['lines']
" "$C"
expect_rc 1 "explain of a ticket that does not exist is refused" gj explain 999
expect_rc 2 "explain without a TICKET is a usage error" gj explain

# --- gj recompute: nothing has moved under the deadlines ---------------------

expect_rc 0 "recompute (dry run) as a manager (on the demo roster)" gj --as chen.jianguo --role manager recompute
if [ "$(cat "$WORK/out")" = "0 deadlines would move" ]; then
	pass "recompute says: 0 deadlines would move"
else
	fail "recompute printed '$(cat "$WORK/out")', expected '0 deadlines would move'" "$(cat "$WORK/err")"
fi
expect_rc 1 "recompute by a manager not on the demo roster, every estate" \
	gj --as wang --role manager recompute
if grep -q "not on the roster of demo.*name an estate" "$WORK/err"; then
	pass "the roster refuses, and says to name an estate"
else
	fail "the roster's refusal" "$(cat "$WORK/err")"
fi
expect_rc 0 "recompute --apply --estate main as admin_hr" \
	gj --as zhao --role admin_hr recompute --apply --estate main
if [ "$(cat "$WORK/out")" = "0 deadlines moved" ]; then
	pass "recompute --apply says: 0 deadlines moved"
else
	fail "recompute --apply printed '$(cat "$WORK/out")', expected '0 deadlines moved'" "$(cat "$WORK/err")"
fi
expect_rc 0 "recompute --json" gj --as chen.jianguo --role manager recompute --json
check_py "recompute --json: nothing would move, not applied" "$WORK/out" "
r = lines[0]['recompute']
assert r['clocks_moved'] == 0 and r['tickets_moved'] == 0 and not r['applied'], r
"
expect_rc 1 "recompute as a butler is refused" gj --as li --role butler recompute
if grep -q "^gj: refused (ROLE_NOT_ALLOWED): .*butler" "$WORK/err" && [ ! -s "$WORK/out" ]; then
	pass "the refusal says why: $(cat "$WORK/err")"
else
	fail "recompute as a butler should say refused (ROLE_NOT_ALLOWED) and name the role" \
		"stdout: $(cat "$WORK/out")" "stderr: $(cat "$WORK/err")"
fi
expect_rc 2 "recompute without a role is a usage error" gj --as li recompute
expect_rc 2 "recompute takes no arguments" gj --as li --role manager recompute 5

# --- exit statuses -------------------------------------------------------------

expect_rc 1 "fire on a ticket that does not exist is refused" \
	gj --as li --role butler fire 999 dispatch
if grep -q "refused" "$WORK/err"; then
	pass "stderr says refused: $(cat "$WORK/err")"
else
	fail "stderr of the refused fire: '$(cat "$WORK/err")'"
fi
expect_rc 1 "open of an unknown workflow is refused" gj --as li --role butler open nope
expect_rc 1 "list --json refused (no person)" gj --as "" list --json
if grep -q '"outcome":"REFUSED","code":"MISSING_ACTOR"' "$WORK/out"; then
	pass "list --json prints the refusal as JSON"
else
	fail "list --json refusal on stdout" "$(cat "$WORK/out")"
fi
expect_rc 1 "an illegal transition is refused" gj --as li --role engineering fire "$A" finish
if grep -q "ILLEGAL_TRANSITION" "$WORK/err"; then
	pass "refused as ILLEGAL_TRANSITION"
else
	fail "the illegal transition's refusal" "$(cat "$WORK/err")"
fi
expect_rc 2 "gj without a command is a usage error" "$GJ"
expect_rc 2 "gj with an unknown command is a usage error" gj frobnicate
expect_rc 2 "open without a role is a usage error" gj --as li open r17_repair location=x
expect_rc 3 "gj --data /nonexistent status: daemon unreachable" \
	"$GJ" --data /nonexistent status

summary
[ "$failed" -eq 0 ]
