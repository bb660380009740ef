# Two quick SIGHUPs at exit (a closing terminal sends more than one) leave no
# .answers.json.*.tmp: the answers file is written with the signals held, and a temp file
# a killed writer left is removed at the next start.
. "$SW_TOP/tests/lib.sh"
. "$SW_TOP/tests/tmux_lib.sh"

new_vault 2>/dev/null
temps() { find "$SW_STATE" -maxdepth 1 -name '.answers.json.*.tmp' | wc -l; }

# A temp file left by a writer killed mid-write (kill -9 cannot be held off).
stale="$SW_STATE/.answers.json.99999.deadbeef0.tmp"
echo '{"half": ' > "$stale"
check "the planted temp file is there before the start" [ -f "$stale" ]
start s0 "$SW_STATE" "--passphrase-fd 3 3<'$PASSFILE'"
track s0
on_screen s0 'resume at subscription'
check "the next start removes a temp file a killed writer left" [ ! -e "$stale" ]
kill -TERM "$(wiz_pid s0)"
check "  ...and ends on SIGTERM" wait_for s0 'EXITED:143'

# The race itself: a second SIGHUP right behind the first, while the answers are written.
rm -f "$stale"   # counted apart from the race when the cleanup above failed
left=0 ended=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	start "h$i" "$SW_STATE" "--passphrase-fd 3 3<'$PASSFILE'"
	track "h$i"
	wait_for "h$i" 'resume at subscription' || break
	p=$(wiz_pid "h$i")
	[ -n "$p" ] || break
	kill -HUP "$p"; kill -HUP "$p"
	wait_for "h$i" 'EXITED:129' && ended=$((ended + 1))
	left=$((left + $(temps)))
	tm kill-session -t "h$i"
done
check "ten wizards each ended by two quick SIGHUPs (exit 129): $ended of 10" [ "$ended" = 10 ]
check "  ...and not one .answers.json.*.tmp remains ($left found)" [ "$left" = 0 ]
check "  ...and the answers file was written" [ -s "$SW_STATE/answers.json" ]
finish
