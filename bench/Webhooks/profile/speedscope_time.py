#!/usr/bin/env python3
"""Time per stack from a dotnet-trace speedscope file (dotnet-sampled-thread-time): replays each thread's open/close
events, attributes the time between events to the stack then open, and prints the top frames by exclusive time, or
with --stacks the heaviest full stacks. Used by docs/performance.md; see there for the commands."""
import json, sys, collections

def stacks(path):
    d = json.load(open(path))
    frames = [f["name"] for f in d["shared"]["frames"]]
    for p in d["profiles"]:
        stack, last = [], None
        for e in p["events"]:
            if last is not None and stack and e["at"] > last:
                yield tuple(stack), e["at"] - last
            last = e["at"]
            if e["type"] == "O":
                stack.append(frames[e["frame"]])
            else:
                stack.pop()

if __name__ == "__main__":
    path = sys.argv[1]
    excl = collections.Counter()
    full = collections.Counter()
    total = 0.0
    for s, ms in stacks(path):
        excl[s[-1]] += ms
        full[s[-6:]] += ms
        total += ms
    print(f"total thread time {total:.0f} ms")
    if "--stacks" in sys.argv:
        for s, ms in full.most_common(40):
            print(f"{ms:9.0f} ms  " + "  <  ".join(reversed([x[:70] for x in s])))
    else:
        for name, ms in excl.most_common(60):
            print(f"{ms:9.0f} ms {100*ms/total:5.1f}%  {name[:150]}")
