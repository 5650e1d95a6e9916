#!/usr/bin/env python3
"""Where the engine's threads spend time on the webhook path, by stage, from a dotnet-trace speedscope file taken with
--profile dotnet-sampled-thread-time (see docs/performance.md for the commands).

Each sampled stack ends in CPU_TIME (the thread was in managed code: running, or runnable and waiting for a core,
which on a saturated 2-core machine is much of it) or UNMANAGED_CODE_TIME (native: a syscall, or a thread parked in
a wait). Stacks whose top frames are a wait (semaphores, monitors, epoll, sleeps, the idle finalizer) are parked and
left out. So this is thread time, not CPU time: use it for shares, and the benchmark's CPU per webhook for totals. Every other
stack is given to the first stage below, in this order, that names one of its frames: so a file write made by the
outbox grain counts as a file-store write, the tokenizer run inside the customer grain as the tokenizer, and so on.
GC work runs on native GC threads that the sampler does not see: take GC pause time from the benchmark's own line."""
import sys, collections
from speedscope_time import stacks

IDLE = ("WaitHandle.WaitOneNoCheck", "Monitor.Wait(", "LowLevelLifoSemaphore.WaitNative", "LowLevelLifoSemaphore.WaitForSignal",
        "Thread.Sleep(", "FileSystemWatcher", "SocketAsyncEngine.EventLoop", "Heartbeat.TimerLoop", "TimerQueue.TimerThread",
        "GateThread", "MediaPacer.Run", "Watchdog.Run", "CounterGroup.PollForValues", "EventPipe", "WaitForSocketEvents",
        "Interop+Sys.WaitForSocketEvents", "ManualResetEventSlim.Wait", "SemaphoreSlim.Wait(", "DedicatedThreadPoolPipeScheduler",
        "GC.RunFinalizers", "LowLevelLifoSemaphore.Wait(")
# Frames that, right under the leaf, mean the thread is waiting even when the sampler says "managed".
WAITS = ("WaitHandle.WaitOneNoCheck", "Monitor.Wait(", "Thread.Sleep(", "LowLevelLifoSemaphore.WaitNative", "GC.RunFinalizers()")

STAGES = [
    ("file store: durable write syscalls (open O_SYNC, pwrite, rename, mkdir)",
        ("Interop+Sys.Open", "Interop+Sys.PWrite", "Interop+Sys.Rename", "Interop+Sys.MkDir", "RandomAccess.WriteAtOffset",
         "SafeFileHandle", "Interop+Sys.FSync", "FlushToDisk", "Interop+Sys.Unlink", "Interop+Sys.LStat", "Interop+Sys.Stat")),
    ("state serialization: outbox shard (Codec_OutboxState)", ("Codec_OutboxState", "Codec_OutboxEntry", "Codec_OutboundMessage")),
    ("state serialization: customer (Codec_CustomerState)", ("Codec_CustomerState",)),
    ("state serialization: other (identity, Orleans serializer)", ("Orleans.Serialization",)),
    ("file store: managed part (FileGrainStorage)", ("FileGrainStorage",)),
    ("Redis storage (Orleans Redis provider + StackExchange.Redis)", ("RedisGrainStorage", "StackExchange.Redis", "Orleans.Persistence.Redis")),
    ("customer grain: PII tokenizer and keys", ("Switchboard.Grains.Pii",)),
    ("customer grain: dialog engine and NLU", ("Switchboard.Grains.Dialog", "Microsoft.ML")),
    ("consent round trip (CanContact / ConsentRegistry)", ("CanContact", "ConsentRegistry", "Switchboard.Grains.Consent")),
    ("customer grain: rest of HandleTurn", ("CustomerGrain",)),
    ("outbox grain: enqueue, index, prune, complete", ("OutboxGrain", "Switchboard.Grains.Outbox")),
    ("outbox client / dispatcher / Graph send (WhatsAppCloudApi, HttpClient, Polly)",
        ("OutboxClient", "OutboxDispatcher", "OutboxSignal", "WhatsAppCloudApi", "System.Net.Http", "Polly", "Microsoft.Extensions.Http")),
    ("ingress + identity grains (normalise, pseudonym, bind)", ("ConversationIngressGrain", "IdentityGrain", "AddressNormalizer", "AddressPseudonyms", "PhoneNumbers")),
    ("webhook endpoint: body, signature, JSON parse, render", ("Switchboard.Channels.WhatsApp", "BoundedBody", "System.Text.Json")),
    ("bench: load driver and Graph stand-in", ("Bench!",)),
    ("Kestrel / ASP.NET Core pipeline", ("Kestrel", "Microsoft.AspNetCore")),
    ("Orleans runtime (scheduler, messaging, activations)", ("Orleans",)),
    ("GC side work: finalizer thread (DynamicMethod scouts, Gen2GcCallback pool trims), threads waiting for a GC (PollGC)",
        ("PollGC", "Finalize()", "Gen2GcCallback", "SharedArrayPool", "DestroyScout")),
    ("lock contention (Monitor.Enter slow path)", ("Monitor.Enter_Slowpath",)),
    ("thread pool: dispatch, spinning before parking", ("ThreadPool", "LowLevelSpinWaiter", "LowLevelLifoSemaphore")),
]

THRESHOLD = float(__import__("os").environ.get("STAGE_THRESHOLD", "0.003"))

if __name__ == "__main__":
    per = collections.Counter()
    cpu = collections.Counter()
    idle = 0.0
    for s, ms in stacks(sys.argv[1]):
        top = s[-2] if len(s) > 1 else ""
        if (s[-1] == "UNMANAGED_CODE_TIME" and any(w in f for f in s[-3:-1] for w in IDLE)) or any(w in top for w in WAITS):
            idle += ms
            continue
        if len(s) <= 2 and s[-1] == "UNMANAGED_CODE_TIME":
            idle += ms
            continue
        for name, pats in STAGES:
            if any(p in f for f in s for p in pats):
                break
        else:
            name = "other: " + (s[-2] if len(s) > 1 else s[-1]).split("!")[-1][:60]
        per[name] += ms
        if s[-1] == "CPU_TIME": cpu[name] += ms
    busy = sum(per.values())
    # optional: webhooks in the traced window, and the run's user-mode CPU per webhook (µs) to turn shares into µs
    webhooks = float(sys.argv[2]) if len(sys.argv) > 2 else None
    user_cpu = float(sys.argv[3]) if len(sys.argv) > 3 else None
    managed = sum(cpu.values())
    print(f"thread time not parked {busy/1000:.1f} s (managed code running {managed/1000:.1f} s, in native code or a syscall {(busy-managed)/1000:.1f} s); parked {idle/1000:.1f} s")
    print("| stage | thread time in managed code | share of it | ≈ user CPU per webhook | thread time in native code or syscalls | per webhook |")
    print("|---|---|---|---|---|---|")
    shown = 0.0
    for name, ms in sorted(per.items(), key=lambda kv: -kv[1]):
        if ms / busy < THRESHOLD: continue
        shown += ms
        c = cpu[name]
        est = f"{user_cpu*c/max(managed,1):.0f} µs" if user_cpu else "–"
        per_webhook = f"{1000*(ms-c)/webhooks:.0f} µs" if webhooks else "–"
        print(f"| {name} | {c/1000:.2f} s | {100*c/max(managed,1):.1f} % | {est} | {(ms-c)/1000:.2f} s | {per_webhook} |")
    print(f"(stages under {100*THRESHOLD:.1f} % of the not-parked time left out: {(busy-shown)/1000:.2f} s)")
