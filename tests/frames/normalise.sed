# tests/frames/normalise.sed: what varies between runs of the same screen, replaced before a
# frame is compared with its golden copy (tests/cli/test_frames.sh). The test directory is
# replaced first, by a sed expression the test adds (<TMP>).
# Times of day and dates: 2026-12-08T00:11:40Z
s/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/<TIME>/g
# Clocks and elapsed times: 0:03, 12:41 (the install's action clocks and its summary)
s/(^|[^0-9:])[0-9]{1,3}:[0-9]{2}([^0-9:]|$)/\1<CLOCK>\2/g
# An action's seconds in the log: (0 s), (12 s)
s/\([0-9]+ s\)/(<S> s)/g
# ", about 9 min left": the estimate follows the clock, and goes once the running action has
# taken longer than usual (core/engine/graph.c, engine_expected): whether a frame catches it
# depends on the moment, so it is left out of every frame
s/, about [0-9]+ min left//g
# The loopback port of the fake cloud
s/127\.0\.0\.1:[0-9]+/127.0.0.1:<PORT>/g
# Trailing blanks: a frame's line ends where its text ends
s/ +$//
