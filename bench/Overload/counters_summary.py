# Splits the engine meters dotnet-counters collected during an overload run (bench/Overload/profile.sh) by phase.
# usage: counters_summary.py <benchmark log with timestamps> <counters csv>
import csv,sys,re,statistics
from datetime import datetime
log=sys.argv[1]; csvf=sys.argv[2]
# phase ends from the log
ends={}
for l in open(log):
    m=re.match(r'(\d\d:\d\d:\d\d)\.\d+ (capacity|light \(10 %\)|overload \(\dx\))\s+offered',l)
    if m: ends[m.group(2).split()[0]]=m.group(1)
def t(s): return datetime.strptime(s,'%H:%M:%S')
cap_end=t(ends['capacity']); light_end=t(ends['light']); over_end=t(ends['overload'])
cap_start=cap_end-(light_end-cap_end)
phases=[('capacity',cap_start,cap_end),('light',cap_end,light_end),('overload',light_end,over_end)]
rows=list(csv.DictReader(open(csvf)))
want={
 'server 200 p50':('http.server.request.duration','status_code=200;http.route=/webhooks/whatsapp','Percentile=50'),
 'server 200 p99':('http.server.request.duration','status_code=200;http.route=/webhooks/whatsapp','Percentile=99'),
 'queue wait p50':('time_in_queue','acquired','Percentile=50'),
 'queue wait p99':('time_in_queue','acquired','Percentile=99'),
 'lease (run) p50':('request_lease.duration','','Percentile=50'),
 'lease (run) p99':('request_lease.duration','','Percentile=99'),
 'gc pause s/s':('dotnet.gc.pause.time','',''),
 'cpu user s/s':('dotnet.process.cpu.time','mode=user',''),
 'cpu sys s/s':('dotnet.process.cpu.time','mode=system',''),
 'gen0/s':('dotnet.gc.collections','gen0',''),
 'gen1/s':('dotnet.gc.collections','gen1',''),
 'gen2/s':('dotnet.gc.collections','gen2',''),
 'active leases':('active_request_leases','',''),
 'queued':('queued_requests','',''),
 'threadpool queue':('thread_pool.queue.length','',''),
}
print(f"{'':18}"+''.join(f"{p[0]:>28}" for p in phases))
for name,(a,b,c) in want.items():
    line=f"{name:18}"
    for _,s,e in phases:
        vals=[]
        for r in rows:
            ts=datetime.strptime(r['Timestamp'].split(' ')[1],'%H:%M:%S')
            n=r['Counter Name']
            if s<=ts<e and a in n and b in n and c in n:
                try: vals.append(float(r['Mean/Increment']))
                except: pass
        if vals:
            scale=1000 if '(s)' in name or 'p50' in name or 'p99' in name else 1
            line+=f"{'med %.1f / max %.1f'%(statistics.median(vals)*scale,max(vals)*scale):>28}"
        else: line+=f"{'-':>28}"
    print(line)
print("(latencies in ms: per-second percentiles from the engine's own meters; median and max over the phase's seconds)")
