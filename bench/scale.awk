# scale.awk: the per-pod figures of bench/scale.sh from its samples, lines of
# "ms pod conns deliveries cpu_ticks rss_kb". Variables: share (connections
# a pod is meant to hold), start (the load started), pub (publishing
# started), end (publishing ended), drain (pod 0 got SIGTERM; 0: none), all
# in Unix ms; tck (clock ticks a second); pods.
#
# A pod's figures: connect time until it held its share, RSS per idle
# connection (idle, with every connection up and nothing published, against
# before the load), and over a window deliveries/s and server CPU seconds
# per 1M deliveries: before the drain (publishing start to the drain, or to
# the end without one) and after it (the drain to the end).
{
  t = $1; p = $2
  if (!(p in seen)) { seen[p] = 1; rss0[p] = $6 }
  if ($3 > maxc[p]) maxc[p] = $3
  if (!(p in up) && $3 >= share) up[p] = t
  if (t <= pub) { it[p] = t; ic[p] = $3; id[p] = $4; icpu[p] = $5; irss[p] = $6 }
  cut = (drain > 0) ? drain : end + 1500
  if (t <= cut) { bt[p] = t; bd[p] = $4; bcpu[p] = $5 }
  if (t <= end + 1500) { et[p] = t; ed[p] = $4; ecpu[p] = $5 }
  if (t <= end) ec[p] = $3
}

function rate(d, ms) { return ms > 0 ? d / ms * 1000 : 0 }
function per1m(cpu, d) { return d > 0 ? cpu / tck / d * 1e6 : 0 }

END {
  printf "%-5s %8s %9s %8s %10s %12s %10s %12s %10s %8s\n", "pod", "conns", "connect", "conns/s",
    "KiB/conn", "deliv/s", "CPU s/1M", "after: d/s", "CPU s/1M", "at end"
  for (p = 0; p < pods; p++) {
    if (!(p in seen)) { printf "%-5d no samples\n", p; continue }
    cs = (p in up) ? (up[p] - start) / 1000 : -1
    kib = ic[p] > 0 ? (irss[p] - rss0[p]) / ic[p] : 0
    d1 = bd[p] - id[p]; c1 = bcpu[p] - icpu[p]; w1 = bt[p] - it[p]
    after = "-"; after1m = "-"
    if (drain > 0 && p > 0) {
      d2 = ed[p] - bd[p]; c2 = ecpu[p] - bcpu[p]; w2 = et[p] - bt[p]
      after = sprintf("%.0f", rate(d2, w2)); after1m = sprintf("%.2f", per1m(c2, d2))
      td2 += d2; tc2 += c2; tr2 += rate(d2, w2)
    }
    connect = cs >= 0 ? sprintf("%.1fs", cs) : sprintf("max %d", maxc[p])
    printf "%-5d %8d %9s %8.0f %10.1f %12.0f %10.2f %12s %10s %8d\n", p, ic[p], connect,
      (cs > 0 ? ic[p] / cs : 0), kib, rate(d1, w1), per1m(c1, d1), after, after1m, ((p == 0 && drain > 0) ? 0 : ec[p])
    tconns += ic[p]; trss += irss[p] - rss0[p]; td1 += d1; tc1 += c1; tr1 += rate(d1, w1)
    if (cs > tcs) tcs = cs
    if (cs < 0) missing = 1
    tend += (p == 0 && drain > 0) ? 0 : ec[p]
  }
  connect = missing ? "not all" : sprintf("%.1fs", tcs)
  printf "%-5s %8d %9s %8.0f %10.1f %12.0f %10.2f %12s %10s %8d\n", "all", tconns, connect,
    ((!missing && tcs > 0) ? tconns / tcs : 0), (tconns > 0 ? trss / tconns : 0), tr1, per1m(tc1, td1),
    (drain > 0 ? sprintf("%.0f", tr2) : "-"), (drain > 0 ? sprintf("%.2f", per1m(tc2, td2)) : "-"), tend
}
