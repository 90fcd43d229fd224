#!/usr/bin/env bash
# tests/test_frontline.sh: the front-line words of gj (post, jobs, today)
# end to end against the real guanjiad, on a fresh data directory, a manual
# clock and the shipped escalation plugins.
#
#   tests/test_frontline.sh PATH/TO/guanjiad PATH/TO/gj PATH/TO/PLUGIN_DIR
#
# The daemon runs with --workflows DIR holding copies of the shipped
# r17_repair, r26a_home_repair, r28b_special_event, r18_gate_entry and
# r12_key_loan only, so that no other workflow's clocks or tickets opened by
# generator plugins get in the way of exact lists.  The clock starts on Friday
# 2026-10-09 at 09:00 +08:00 (Saturday 10-10 is a make-up working day).
#
#   09:00  the guard registers visitor 张三 (east_gate) and vehicle 粤B12345
#   10:30  张三 goes out by name; two 李四 come in, out by name is refused
#          (two match), one goes out by ticket id; an entry made in error
#          is struck out (not in the register); the register of the day;
#          an incident reported with one command: report_to_head stamped at
#          10:30 (its 1-minute clock stopped, no alert), report_to_manager
#          due 10:35; repairs dispatched to zhang and wang, key loans
#   10:30  gj jobs: zhang's jobs most urgent first with the time left
#   10:50  the home repair is late; the words accept/arrive/finish/defer,
#          a date beyond 30 working days refused by gj before anything is
#          recorded (exit 1; the plugin's own refusal is tested in
#          test_escalation.c), then filed; gj today: late, due today, keys out
#   next day 08:00  the vehicle goes out; the registers of both days
#
# Prints "ok - ..." / "FAIL - ..." per check and ends with
# "N passed, M failed"; exits non-zero when anything failed.
set -euo pipefail

if [ $# -ne 3 ]; then
	echo "usage: $0 GUANJIAD GJ PLUGIN_DIR" >&2
	exit 2
fi
GUANJIAD=$1
GJ=$2
PLUGINS=$3
SRC=${GJ_SOURCE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}

# Hermetic: nothing from the caller's environment chooses a daemon or a role.
unset GUANJIA_DATA GJ_AS GJ_ROLE

START=2026-10-09T09:00:00+08:00
START_MS=1791507600000            # $START in ms since the epoch
MIN=60000

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gj-frontline-test.XXXXXX")
DATA=$WORK/data
SHOW_BYTES=800
ERR_LINES=40

# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# expect_grep FILE DESCRIPTION PATTERN...: every extended regex matches a
# line of FILE (out or err of the last run).
expect_grep() {
	local file=$WORK/$1 what=$2 p
	shift 2
	for p in "$@"; do
		if ! grep -Eq -- "$p" "$file"; then
			fail "$what: no line matches /$p/" "$1: $(head -c 1500 "$file")"
			return
		fi
	done
	pass "$what"
}

# check_py DESCRIPTION FILE CODE [ARGS...]: CODE (python; `lines` = the JSON
# documents of FILE, one per line; ARGS are sys.argv[2:]) must run without an
# exception.
check_py() {
	local what=$1 file=$2 code=$3 why
	shift 3
	if why=$(python3 -c "import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
$code" "$file" "$@" 2>&1); then
		pass "$what"
	else
		fail "$what" "$(echo "$why" | tail -n 1)" "input: $(head -c 1500 "$file")"
	fi
}

# id_of: the ticket id the last run printed (just a number).
id_of() {
	local id
	id=$(cat "$WORK/out")
	if [[ ! $id =~ ^[0-9]+$ ]]; then
		fail "expected a ticket id on stdout, got '$id'" "stderr: $(cat "$WORK/err")"
		summary
		exit 1
	fi
	echo "$id"
}

# --- the workflows ---------------------------------------------------------

WF=$WORK/workflows
mkdir -p "$WF"
for w in r17_repair r26a_home_repair r28b_special_event r18_gate_entry r12_key_loan; do
	cp "$SRC/etc/workflows/$w.yaml" "$WF/"
done

# --- start the daemon and wait for its ready line --------------------------

start_daemon --manual-clock "$START" --workflows "$WF" --plugins "$PLUGINS"
# The daemon logs each plugin it loaded before it says it is ready.
if grep -q "plugin defer_notice loaded" "$WORK/daemon.err" &&
	grep -q "plugin special_event loaded" "$WORK/daemon.err"; then
	pass "the defer_notice and special_event plugins are loaded"
else
	fail "the defer_notice and special_event plugins should be loaded from $PLUGINS" \
		"$(cat "$WORK/daemon.err")"
fi

# --- help and usage errors ---------------------------------------------------

expect_rc 0 "gj help post" gj help post
expect_grep out "post's help names its four words and the R18/R28b rules" \
	'^usage: gj post in visitor\|vehicle WHO --post P \[field=value \.\.\.\] \| out TICKET\|WHO \|$' \
	'^               today \[--date D\] \| incident KIND LOCATION$' \
	'R18' 'report_to_head' 'Acts as security unless --role'
expect_rc 0 "gj jobs --help" gj jobs --help
expect_grep out "jobs' help maps each word to each workflow's events" \
	'^usage: gj jobs ' 'accept +resume_work' 'defer +cannot_fix, then defer_notice' \
	'return_slip' 'Acts as engineering unless --role'
expect_rc 0 "gj help today" gj help today
expect_grep out "today's help says late, due today and keys" 'late' 'due' 'r12_key_loan'
expect_rc 0 "gj --help" gj --help
expect_grep out "gj --help lists post, jobs and today" '^  gj post in ' '^  gj jobs ' '^  gj today '

expect_rc 2 "post without a word is a usage error" gj post
expect_rc 2 "post in a cat is a usage error" gj post in cat Tom
expect_rc 2 "post in without WHO is a usage error" gj post in visitor
expect_rc 2 "post today --date 2026-02-30 is a usage error" gj post today --date 2026-02-30
expect_rc 2 "--post with post out is a usage error" gj post out 1 --post east_gate
expect_rc 2 "post incident without a location is a usage error" gj post incident fire
expect_rc 2 "jobs frob is a usage error" gj jobs frob 1
expect_rc 2 "jobs defer without --until is a usage error" gj jobs defer 1 --reason x
expect_rc 2 "jobs defer with a malformed --until is a usage error" \
	gj jobs defer 1 --reason x --until 20/10/2026
expect_rc 2 "jobs finish --reason is a usage error" gj jobs finish 1 --reason x
expect_rc 2 "today takes no arguments" gj today now
expect_rc 3 "post today with no daemon: unreachable" "$GJ" --data /nonexistent post today
expect_rc 3 "jobs with no daemon: unreachable" "$GJ" --data /nonexistent jobs
expect_rc 3 "today with no daemon: unreachable" "$GJ" --data /nonexistent today

# --- 09:00: the guard registers a visitor and a vehicle ------------------------

expect_rc 0 "09:00 post in visitor 张三 --post east_gate" \
	gj --as guard.wu post in visitor 张三 --post east_gate
V1=$(id_of)
# GJ_ROLE is for other work: post acts as security all the same.
expect_rc 0 "09:00 post in vehicle 粤B12345 --post north_gate (GJ_ROLE=butler set)" \
	env GJ_ROLE=butler "$GJ" --data "$DATA" --as guard.wu post in vehicle 粤B12345 --post north_gate
V2=$(id_of)
expect_rc 0 "show the vehicle's entry --json" gj show "$V2" --json
check_py "the entry holds kind, who and post, opened by guard.wu acting as security at 09:00" \
	"$WORK/out" "
t = lines[0]['ticket']
f = {x['name']: x['value'] for x in t['fields']}
assert t['workflow'] == 'r18_gate_entry', t['workflow']
assert (f['kind'], f['who'], f['post']) == ('vehicle', '粤B12345', 'north_gate'), f
assert not t['closed'], t
assert t['opened_at'] == int(sys.argv[2]), t['opened_at']
h = t['history'][0]
assert (h['person'], h['role']) == ('guard.wu', 'security'), h
" "$START_MS"

# --- 10:30: in and out ----------------------------------------------------------

expect_rc 0 "clock advance 1h30m" gj clock advance 1h30m
expect_rc 0 "10:30 post out 张三 (by name)" gj --as guard.wu post out 张三
if [ "$(cat "$WORK/out")" = "$V1 visitor 张三 at east_gate: in 09:00, out 10:30" ]; then
	pass "post out prints the register line: $(cat "$WORK/out")"
else
	fail "post out printed '$(cat "$WORK/out")'" "expected '$V1 visitor 张三 at east_gate: in 09:00, out 10:30'"
fi
expect_rc 0 "show 张三's entry --json" gj show "$V1" --json
check_py "张三's entry is closed by leave at 10:30, fired by guard.wu as security" "$WORK/out" "
t = lines[0]['ticket']
assert t['closed'], t['state']
h = [x for x in t['history'] if x['event'] == 'leave']
assert len(h) == 1, t['history']
assert h[0]['at'] == int(sys.argv[2]) + 90 * int(sys.argv[3]), h[0]['at']
assert (h[0]['person'], h[0]['role']) == ('guard.wu', 'security'), h[0]
" "$START_MS" "$MIN"
expect_rc 1 "post out 张三 again: nobody of that name is in" gj --as guard.wu post out 张三
expect_grep err "the refusal says nobody registered as 张三 is in" "nobody registered as '张三' is in"

expect_rc 1 "post in without --post: refused, the register needs the post" \
	gj --as guard.wu post in visitor 王五
expect_grep err "the refusal names the missing field" '^gj: refused \(MISSING_FIELD\): .*post'
expect_rc 1 "post in as engineering (--role): refused by the workflow" \
	gj --as zhang --role engineering post in visitor 王五 --post east_gate
expect_grep err "the refusal names the role" '^gj: refused \(ROLE_NOT_ALLOWED\): .*engineering'
expect_rc 2 "post in with kind= among the fields is a usage error" \
	gj --as guard.wu post in visitor 王五 --post east_gate kind=vehicle
expect_rc 0 "10:30 post in visitor 李四 unit=3-1201 (whom he visits)" \
	gj --as guard.wu post in visitor 李四 unit=3-1201 --post east_gate
V3=$(id_of)
expect_rc 0 "show 李四's entry --json" gj show "$V3" --json
check_py "the extra field is kept" "$WORK/out" "
f = {x['name']: x['value'] for x in lines[0]['ticket']['fields']}
assert (f['kind'], f['who'], f['post'], f['unit']) == ('visitor', '李四', 'east_gate', '3-1201'), f
"
expect_rc 0 "10:30 post in visitor 李四 (another one)" gj --as guard.wu post in visitor 李四 --post east_gate
V4=$(id_of)
expect_rc 1 "post out 李四: two match, refused" gj --as guard.wu post out 李四
expect_grep err "the refusal lists both entries by ticket" "2 entries for '李四'" \
	"gj post out $V3 " "gj post out $V4 "
expect_rc 0 "post out #$V4 (by ticket)" gj --as guard.wu post out "#$V4"
expect_grep out "post out by ticket prints its line" "^$V4 visitor 李四 at east_gate: in 10:30, out 10:30$"

expect_rc 0 "10:30 post in visitor 赵六, registered in error" \
	gj --as guard.wu post in visitor 赵六 --post east_gate
V5=$(id_of)
expect_rc 0 "the entry is struck out (cancel, with the generic fire)" \
	gj --as guard.wu --role security fire "$V5" cancel "reason=registered in error"

expect_rc 0 "post today at 10:30" gj post today
expect_grep out "the register of 2026-10-09: 4 came in, 2 went out, 2 still in; one line each" \
	'^register of 2026-10-09 \(as of 10:30\): 4 came in, 2 went out, 2 still in$' \
	'^IN +OUT +TICKET +KIND +POST +WHO$' \
	"^09:00 +10:30 +$V1 +visitor +east_gate +张三$" \
	"^09:00 +still in +$V2 +vehicle +north_gate +粤B12345$" \
	"^10:30 +still in +$V3 +visitor +east_gate +李四$" \
	"^10:30 +10:30 +$V4 +visitor +east_gate +李四$"
expect_rc 0 "post today --json" gj post today --json
check_py "the register as JSON: entries in order, in/out times, who is still in" "$WORK/out" "
d = lines[0]
s, M = int(sys.argv[2]), int(sys.argv[3])
ids = [int(x) for x in sys.argv[4:8]]
assert d['date'] == '2026-10-09', d['date']
assert (d['came_in'], d['left'], d['still_in']) == (4, 2, 2), d
e = d['entries']
assert [x['ticket'] for x in e] == ids, e
assert [x['in_at'] for x in e] == [s, s, s + 90 * M, s + 90 * M], e
assert [x['out_at'] for x in e] == [s + 90 * M, 0, 0, s + 90 * M], e
assert [x['still_in'] for x in e] == [False, True, True, False], e
assert e[1]['who'] == '粤B12345' and e[1]['kind'] == 'vehicle' and e[1]['post'] == 'north_gate', e[1]
assert int(sys.argv[8]) not in [x['ticket'] for x in e], 'the struck-out entry is listed'
" "$START_MS" "$MIN" "$V1" "$V2" "$V3" "$V4" "$V5"
expect_rc 0 "post today --date 2026-10-08: nobody yet" gj post today --date 2026-10-08
expect_grep out "an empty day says so" '^register of 2026-10-08: nobody came in or went out'

# --- 10:30: an incident in one command ----------------------------------------------

expect_rc 0 "status --json" gj status --json
last_seq=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["status"]["last_seq"])' "$WORK/out")
expect_rc 0 "10:30 post incident burst_pipe '3# B2 pump room'" \
	gj --as guard.wu post incident burst_pipe "3# B2 pump room" --note "water on the floor"
INC=$(id_of)
expect_rc 0 "show the incident --json" gj show "$INC" --json
check_py "R28b opened with kind and location, report_to_head stamped at 10:30 by the guard; its 1-minute clock stopped in time; 5 minutes to the manager from there" "$WORK/out" "
t = lines[0]['ticket']
at = int(sys.argv[2]) + 90 * int(sys.argv[3]); M = int(sys.argv[3])
f = {x['name']: x['value'] for x in t['fields']}
assert t['workflow'] == 'r28b_special_event' and t['state'] == 'found', t
assert (f['kind'], f['location']) == ('burst_pipe', '3# B2 pump room'), f
h = t['history']
assert [x['event'] for x in h[:2]] == ['open', 'report_to_head'], [x['event'] for x in h]
assert h[0]['note'] == 'water on the floor', h[0]
assert h[1]['at'] == at and (h[1]['person'], h[1]['role']) == ('guard.wu', 'security'), h[1]
c = {x['id']: x for x in t['clocks']}
assert c['report_to_head']['state'] == 'CLOCK_STOPPED', c['report_to_head']
assert c['report_to_head']['stopped_at'] == at, c['report_to_head']
assert c['report_to_head']['deadline'] == at + M, c['report_to_head']
assert not c['report_to_head']['breached'], c['report_to_head']
assert c['report_to_manager']['state'] == 'CLOCK_RUNNING', c['report_to_manager']
assert c['report_to_manager']['deadline'] == at + 5 * M, c['report_to_manager']
" "$START_MS" "$MIN"
expect_rc 0 "post incident --json prints the ticket after the report" \
	gj --as guard.wu post incident outage "2# lift lobby" --json
check_py "post incident --json: the reply of report_to_head (state found, report_to_head stopped)" "$WORK/out" "
t = lines[0]['ticket']
c = {x['id']: x for x in t['clocks']}
assert t['workflow'] == 'r28b_special_event', t
assert c['report_to_head']['state'] == 'CLOCK_STOPPED', c
"
INC2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ticket"]["id"])' "$WORK/out")

# --- 10:30: repairs and key loans ---------------------------------------------------

butler() {
	gj --as li.ming --role butler "$@"
}
expect_rc 0 "R17 A (lobby) reported" butler open r17_repair location=lobby
A=$(id_of)
expect_rc 0 "A dispatched to zhang, minor (due 11:30)" butler fire "$A" dispatch technician=zhang severity=minor
expect_rc 0 "R26a H (3-1201) reported" butler open r26a_home_repair unit=3-1201
H=$(id_of)
expect_rc 0 "H dispatched to zhang (at the door by 10:45)" butler fire "$H" dispatch technician=zhang
expect_rc 0 "R17 B (car park) reported" butler open r17_repair "location=car park"
B=$(id_of)
expect_rc 0 "B dispatched to zhang, moderate (3 working days: 2026-10-13 17:30)" \
	butler fire "$B" dispatch technician=zhang severity=moderate
expect_rc 0 "R17 C (gym) reported" butler open r17_repair location=gym
C=$(id_of)
expect_rc 0 "C dispatched to wang, minor" butler fire "$C" dispatch technician=wang severity=minor
expect_rc 0 "R17 D (stairwell) reported, not dispatched (due 10:40)" butler open r17_repair location=stairwell
D=$(id_of)
expect_rc 0 "key 3-1201 lent to wang.fang until 17:30" butler open r12_key_loan key=3-1201 \
	key_kind=owner_entrusted holder=wang.fang due_back=2026-10-09T17:30:00+08:00
K1=$(id_of)
expect_rc 0 "plant-room key PR-2 lent to sun.qiang until 10:40" butler open r12_key_loan key=PR-2 \
	key_kind=plant_room holder=sun.qiang due_back=2026-10-09T10:40:00+08:00
K2=$(id_of)

expect_rc 0 "10:30 gj --as zhang jobs" gj --as zhang jobs
expect_grep out "zhang's jobs, most urgent first: H (15m left), A (1h), B (4d07h); with where and what next" \
	'^3 open jobs for zhang, most urgent first \(now 2026-10-09T10:30:00\+08:00\):$' \
	'^TICKET +WORKFLOW +STATE +TIME LEFT +DUE +CLOCK +WHERE +NEXT$' \
	"^$H +r26a_home_repair +dispatched +15m00s left +10:45 +at_door \(R26a\) +3-1201 +arrive$" \
	"^$A +r17_repair +dispatched +1h00m left +11:30 +minor_repair \(R17\) +lobby +finish, defer$" \
	"^$B +r17_repair +dispatched +4d07h00m left +2026-10-13 17:30 +moderate_repair \(R17\) +car park +finish, defer$"
if [ "$(sed -n '3,$p' "$WORK/out" | cut -d' ' -f1 | tr '\n' ' ')" = "$H $A $B " ]; then
	pass "exactly zhang's three jobs, in the order H, A, B (not wang's C, not the undispatched D)"
else
	fail "jobs should list H, A, B in that order and nothing else" "$(cat "$WORK/out")"
fi
expect_rc 0 "gj --as zhang jobs --json" gj --as zhang jobs --json
check_py "jobs --json: ids, clocks, time left in ms, next words" "$WORK/out" "
d = lines[0]; M = int(sys.argv[5])
H, A, B = (int(x) for x in sys.argv[2:5])
j = d['jobs']
assert d['person'] == 'zhang', d['person']
assert [x['id'] for x in j] == [H, A, B], [x['id'] for x in j]
assert [x['clock'] for x in j] == ['at_door', 'minor_repair', 'moderate_repair'], j
assert [x['left_ms'] for x in j] == [15 * M, 60 * M, (4 * 24 * 60 + 7 * 60) * M], [x['left_ms'] for x in j]
assert [x['next'] for x in j] == [['arrive'], ['finish', 'defer'], ['finish', 'defer']], j
assert all(x['technician'] == 'zhang' for x in j), j
assert j[0]['ticket']['workflow'] == 'r26a_home_repair', j[0]
" "$H" "$A" "$B" "$MIN"
expect_rc 0 "gj jobs --all --json" gj jobs --all --json
check_py "jobs --all: every open repair, D (due 10:40) first, C with wang" "$WORK/out" "
H, A, B, C, D = (int(x) for x in sys.argv[2:7])
j = lines[0]['jobs']
assert [x['id'] for x in j] == [D, H, A, C, B], [x['id'] for x in j]
assert [x['technician'] for x in j] == [None, 'zhang', 'zhang', 'wang', 'zhang'], j
" "$H" "$A" "$B" "$C" "$D"
expect_rc 0 "gj --as zhang jobs --estate demo" gj --as zhang jobs --estate demo
expect_grep out "no jobs in estate demo" '^no open jobs for zhang '
expect_rc 0 "gj --as nobody jobs" gj --as nobody jobs
expect_grep out "no jobs says so" '^no open jobs for nobody \(now 2026-10-09T10:30:00\+08:00\)$'

# --- 10:50: the home repair is late; one word per step ------------------------------

expect_rc 0 "clock advance 20m" gj clock advance 20m
expect_rc 0 "10:50 gj --as zhang jobs" gj --as zhang jobs
expect_grep out "H is first and LATE by 5m00s; A has 40m left" \
	"^$H +r26a_home_repair +dispatched +LATE by 5m00s +10:45 +at_door" \
	"^$A +r17_repair +dispatched +40m00s left +11:30 "

expect_rc 1 "jobs accept H: a home repair has no accept step" gj --as zhang jobs accept "$H"
expect_grep err "accept on R26a says why and what applies" 'record no acceptance' 'what applies now: arrive$'
expect_rc 1 "jobs defer H: home repairs are not deferred" \
	gj --as zhang jobs defer "$H" --reason x --until 2026-10-20
expect_grep err "defer on R26a says so" 'are not deferred'
expect_rc 1 "jobs finish H before arriving" gj --as zhang jobs finish "$H"
expect_grep err "finish from dispatched says when it applies" "is dispatched: 'finish' applies only when it is at_door \(return_slip\)"
expect_rc 0 "10:50 jobs arrive H" gj --as zhang jobs arrive "$H"
expect_grep out "arrive prints H's state line" "^$H r26a_home_repair \[main\] at_door"
expect_rc 2 "jobs finish H without the job slip" gj --as zhang jobs finish "$H"
expect_grep err "it asks for job_slip and paid" 'job_slip=NUMBER and paid=yes\|no'
expect_rc 2 "jobs finish H paid=yes without the owner's signature" \
	gj --as zhang jobs finish "$H" job_slip=JS-0042 paid=yes
expect_grep err "paid work needs the owner's signature" "owner's signature \(R26a\)"
expect_rc 0 "10:50 jobs finish H job_slip=JS-0042 paid=no (return_slip)" \
	gj --as zhang jobs finish "$H" job_slip=JS-0042 paid=no
expect_grep out "finish returns the slip; the butler's 8-hour call-back runs" \
	"^$H r26a_home_repair \[main\] slip_returned; callback \(R26a\) 8h00m left"
expect_rc 0 "show H --json" gj show "$H" --json
check_py "H: arrive then return_slip, by zhang as engineering at 10:50, the slip recorded" "$WORK/out" "
t = lines[0]['ticket']
at = int(sys.argv[2]) + 110 * int(sys.argv[3])
h = [x for x in t['history'] if x['event'] in ('arrive', 'return_slip')]
assert [x['event'] for x in h] == ['arrive', 'return_slip'], t['history']
assert all(x['at'] == at and x['person'] == 'zhang' and x['role'] == 'engineering' for x in h), h
f = {x['name']: x['value'] for x in t['fields']}
assert f['job_slip'] == 'JS-0042' and f['paid'] == 'no', f
" "$START_MS" "$MIN"

expect_rc 1 "jobs arrive A: public-area repairs record no arrival" gj --as zhang jobs arrive "$A"
expect_grep err "arrive on R17 says why" 'record no arrival' 'what applies now: finish, defer$'
expect_rc 1 "jobs accept A while dispatched" gj --as zhang jobs accept "$A"
expect_grep err "accept applies to a deferred R17 repair only" "'accept' applies only when it is deferred \(resume_work\)"
expect_rc 1 "jobs finish on the incident: not a repair job" gj --as zhang jobs finish "$INC"
expect_grep err "it names the workflow" "runs r28b_special_event, not a repair job"

expect_rc 1 "jobs defer A until 2026-10-01: in the past, refused before anything is recorded" \
	gj --as zhang jobs defer "$A" --reason "pump part on order" --until 2026-10-01
expect_grep err "a past date, and nothing recorded" \
	'^gj: the expected repair date 2026-10-01 is in the past \(today is 2026-10-09\); nothing was recorded$'
expect_rc 1 "jobs defer A until 2027-01-15: refused before anything is recorded (beyond 30 working days)" \
	gj --as zhang jobs defer "$A" --reason "pump part on order" --until 2027-01-15
expect_grep err "R17's limit on the estate calendar, and nothing recorded" \
	'^gj: the expected repair date 2027-01-15 is later than 30 working days after the repair was reported on 2026-10-09 \(latest allowed: 2026-11-19, R17\); nothing was recorded$'
if [ ! -s "$WORK/out" ]; then
	pass "nothing on stdout for the refused defer"
else
	fail "the refused defer printed on stdout" "$(cat "$WORK/out")"
fi
expect_rc 0 "show A --json" gj show "$A" --json
check_py "A is still dispatched: no cannot_fix, the minor clock running" "$WORK/out" "
t = lines[0]['ticket']
f = {x['name']: x['value'] for x in t['fields']}
assert t['state'] == 'dispatched', t['state']
assert 'expected_date' not in f, f
c = {x['id']: x for x in t['clocks']}
assert c['minor_repair']['state'] == 'CLOCK_RUNNING', c['minor_repair']
"
expect_rc 0 "jobs defer A until 2026-10-20: the notice is filed" \
	gj --as zhang jobs defer "$A" --reason "pump part on order" --until 2026-10-20
expect_grep out "defer prints A's state line" "^$A r17_repair \[main\] deferred; minor_repair \(R17\) paused"
expect_rc 0 "show A --json" gj show "$A" --json
check_py "A: cannot_fix, then defer_notice with the reason and the expected date, by zhang as engineering" "$WORK/out" "
t = lines[0]['ticket']
f = {x['name']: x['value'] for x in t['fields']}
assert f['reason'] == 'pump part on order' and f['expected_date'] == '2026-10-20', f
assert 'defer_notice_filed' in f, f
ev = [x['event'] for x in t['history'] if x['event'] in ('cannot_fix', 'defer_notice')]
assert ev == ['cannot_fix', 'defer_notice'], ev
assert all(x['role'] == 'engineering' for x in t['history'] if x['event'] in ev), t['history']
"
expect_rc 0 "10:50 jobs defer B (dispatched) until 2026-10-30 in one go" \
	gj --as zhang jobs defer "$B" --reason "tiles on order" --until 2026-10-30
expect_rc 0 "show B --json" gj show "$B" --json
check_py "B: cannot_fix then defer_notice, both at 10:50" "$WORK/out" "
t = lines[0]['ticket']
at = int(sys.argv[2]) + 110 * int(sys.argv[3])
h = [x for x in t['history'] if x['event'] in ('cannot_fix', 'defer_notice')]
assert [x['event'] for x in h] == ['cannot_fix', 'defer_notice'], t['history']
assert all(x['at'] == at for x in h), h
assert t['state'] == 'deferred', t['state']
" "$START_MS" "$MIN"

expect_rc 0 "10:50 gj --as zhang jobs" gj --as zhang jobs
expect_grep out "A and B are deferred: next accept, finish, defer; H is no longer zhang's (slip returned)" \
	"^$A +r17_repair +deferred +.*accept, finish, defer$" \
	"^$B +r17_repair +deferred +.*accept, finish, defer$"
if ! grep -q "^$H " "$WORK/out"; then
	pass "H left zhang's list once the slip was returned"
else
	fail "H should not be listed after return_slip" "$(cat "$WORK/out")"
fi
expect_rc 0 "jobs accept A (resume_work)" gj --as zhang jobs accept "$A"
expect_grep out "accept takes A up again: dispatched, its minor clock running" \
	"^$A r17_repair \[main\] dispatched; minor_repair \(R17\) [0-9]"
expect_rc 0 "jobs finish A" gj --as zhang jobs finish "$A"
expect_grep out "finish closes A" "^$A r17_repair \[main\] done \(closed\)$"
expect_rc 1 "jobs finish A again: closed" gj --as zhang jobs finish "$A"

# --- 10:50: today ----------------------------------------------------------------------

expect_rc 0 "10:50 gj today --json" gj today --json
check_py "today: late (incident's report_to_manager 15m, first_response 10m, D's dispatch 10m, key PR-2 10m), due today (C's minor repair, H's call-back, key 3-1201), keys with holders; B's deferred repair not due" "$WORK/out" "
d = lines[0]; M = int(sys.argv[2])
INC, C, D, H, K1, K2, B = (int(x) for x in sys.argv[3:10])
assert d['date'] == '2026-10-09', d['date']
late = [(x['ticket'], x['clock'], -x['left_ms']) for x in d['late']]
for want in [(INC, 'report_to_manager', 15 * M), (INC, 'first_response', 10 * M),
             (D, 'dispatch', 10 * M)]:
    assert want in late, (want, late)
# the key loan's return clock (its id is the workflow's) is late by 10m
assert [x for x in late if x[0] == K2 and x[2] == 10 * M], late
dl = [x['deadline'] for x in d['late']]
assert dl == sorted(dl), 'late not most late first: %r' % late
assert late.index((INC, 'report_to_manager', 15 * M)) == 0, late
due = [(x['ticket'], x['clock'], x['left_ms']) for x in d['due']]
for want in [(C, 'minor_repair', 40 * M), (H, 'callback', 8 * 60 * M)]:
    assert want in due, (want, due)
assert [x for x in due if x[0] == K1 and x[2] == (6 * 60 + 40) * M], due
dd = [x['deadline'] for x in d['due']]
assert dd == sorted(dd), due
assert all(x['left_ms'] > 0 and x['deadline'] < int(sys.argv[10]) for x in d['due']), due
assert not any(t == B for t, _, _ in due + late), 'B is deferred, due in weeks'
assert d['keys_tracked'], d
k = {x['ticket']: x for x in d['keys']}
assert set(k) == {K1, K2}, k
assert (k[K1]['key'], k[K1]['key_kind'], k[K1]['holder'], k[K1]['late']) == ('3-1201', 'owner_entrusted', 'wang.fang', False), k[K1]
assert (k[K2]['key'], k[K2]['holder'], k[K2]['late']) == ('PR-2', 'sun.qiang', True), k[K2]
" "$MIN" "$INC" "$C" "$D" "$H" "$K1" "$K2" "$B" "$((START_MS + 15 * 60 * MIN))"
expect_rc 0 "10:50 gj today" gj today
expect_grep out "today as text: late first, then due today, then who holds which key" \
	'^today 2026-10-09, every estate, now 10:50$' \
	'^late \([0-9]+\), most late first:$' \
	"^  $INC +r28b_special_event +report_to_manager \(R28b\) +15m00s +10:35 +3# B2 pump room$" \
	"^  $D +r17_repair +dispatch \(R17\) +10m00s +10:40 +stairwell$" \
	'^due today \([0-9]+\):$' \
	"^  $C +r17_repair +minor_repair \(R17\) +40m00s +11:30 +gym$" \
	"^  $H +r26a_home_repair +callback \(R26a\) +8h00m +18:50 +3-1201$" \
	'^keys out \(2\):$' \
	'^  TICKET +KEY +KIND +HOLDER +DUE BACK$' \
	"^  $K1 +3-1201 +owner_entrusted +wang.fang +17:30 \(6h40m left\)$" \
	"^  $K2 +PR-2 +plant_room +sun.qiang +10:40 \(LATE by 10m00s\)$"
late_line=$(grep -n '^late (' "$WORK/out" | cut -d: -f1)
due_line=$(grep -n '^due today (' "$WORK/out" | cut -d: -f1)
first_late=$(sed -n "$((late_line + 2))p" "$WORK/out" | awk '{print $1, $3}')
if [ "$first_late" = "$INC report_to_manager" ] && [ "$late_line" -lt "$due_line" ]; then
	pass "the most late (the incident's report to the manager, 15m) comes first"
else
	fail "the first late line should be $INC report_to_manager, got '$first_late'" "$(cat "$WORK/out")"
fi
expect_rc 0 "gj today --estate demo: nothing there" gj today --estate demo
if [ "$(cat "$WORK/out")" = "today 2026-10-09, estate demo, now 10:50
late: nothing
due today: nothing
keys out: none" ]; then
	pass "an empty estate says so, list by list"
else
	fail "today --estate demo should say nothing late, nothing due, no keys" "$(cat "$WORK/out")"
fi

# --- the incident's report was stamped in time: no alert for it ---------------------

expect_rc 0 "replay alert. --json from before the incident" gj replay --prefix alert. --from $((last_seq + 1)) --json
check_py "no report_to_head alert for the incidents; report_to_manager breached at 10:35 to the manager" "$WORK/out" "
INC, INC2 = int(sys.argv[2]), int(sys.argv[3])
at = int(sys.argv[4]) + 95 * int(sys.argv[5])
mine = [l for l in lines if l['alert']['ticket_id'] in (INC, INC2)]
assert not any(l['alert']['clock'] == 'report_to_head' for l in mine), mine
b = [l for l in mine if l['alert']['ticket_id'] == INC and l['alert']['clock'] == 'report_to_manager'
     and l['alert']['level'] == 'BREACH' and not l['alert']['plugin']]
assert len(b) == 1 and b[0]['at'] == at, b
assert b[0]['alert']['notify_roles'] == ['manager'], b[0]['alert']
" "$INC" "$INC2" "$START_MS" "$MIN"

# --- the next day, 08:00: the vehicle goes out ------------------------------------------

expect_rc 0 "clock advance to 2026-10-10 08:00" gj clock advance 21h10m
expect_rc 0 "08:00 post out 粤b12345 (the plate in other case)" gj --as guard.wu post out 粤b12345
expect_grep out "the vehicle's line: in yesterday 09:00, out 08:00" \
	"^$V2 vehicle 粤B12345 at north_gate: in 2026-10-09 09:00, out 08:00$"
expect_rc 0 "post today on 2026-10-10" gj post today
expect_grep out "today's register: the vehicle came in yesterday and went out, 李四 is still in since yesterday" \
	'^register of 2026-10-10 \(as of 08:00\): 0 came in, 1 went out, 1 still in$' \
	"^2026-10-09 09:00 +08:00 +$V2 +vehicle +north_gate +粤B12345$" \
	"^2026-10-09 10:30 +still in +$V3 +visitor +east_gate +李四$"
expect_rc 0 "post today --json on 2026-10-10" gj post today --json
check_py "only the vehicle and the 李四 still in: those who went out on the 9th are not in the 10th's register" \
	"$WORK/out" "
d = lines[0]
assert d['date'] == '2026-10-10', d['date']
assert [x['ticket'] for x in d['entries']] == [int(sys.argv[2]), int(sys.argv[3])], d['entries']
" "$V2" "$V3"
expect_rc 0 "post today --date 2026-10-09 --json (the day before)" gj post today --date 2026-10-09 --json
check_py "the 9th's register: the vehicle still in at its close (out the next morning)" "$WORK/out" "
d = lines[0]
e = {x['ticket']: x for x in d['entries']}
V1, V2, V3, V4 = (int(x) for x in sys.argv[2:6])
assert set(e) == {V1, V2, V3, V4}, e
assert e[V2]['still_in'] and e[V2]['out_at'] == int(sys.argv[6]), e[V2]
assert e[V3]['still_in'] and e[V3]['out_at'] == 0, e[V3]
assert not e[V1]['still_in'] and not e[V4]['still_in'], e
assert (d['came_in'], d['left'], d['still_in']) == (4, 2, 2), d
" "$V1" "$V2" "$V3" "$V4" "$((START_MS + 23 * 60 * MIN))"
expect_rc 0 "post today --date 2026-10-09 (text)" gj post today --date 2026-10-09
expect_grep out "a past day's register says who was still in at its close" \
	'^register of 2026-10-09: 4 came in, 2 went out, 2 were still in at the close of the day$' \
	"^09:00 +2026-10-10 08:00 +$V2 +vehicle"

summary
[ "$failed" -eq 0 ]
