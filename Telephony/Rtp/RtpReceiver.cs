using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Switchboard.Telephony.Codecs;

namespace Switchboard.Telephony.Rtp;

/// <summary>Takes the datagrams of one call's media sockets on an <see cref="RtpReceiver"/> thread.</summary>
public interface IDatagramSink
{
    /// <summary>
    /// One datagram that arrived on the registered socket <paramref name="channel"/> (0 = RTP, 1 = RTCP) from
    /// <paramref name="source"/>. Runs on the receiver's thread, never twice at once for one sink, and never after its
    /// registration is disposed; it must not block. <paramref name="scratch"/> is the thread's PCM buffer (160 samples)
    /// for decoding, valid only during the call. The spans are the thread's and are reused for the next datagram.
    /// </summary>
    void OnDatagram(int channel, Span<byte> datagram, SocketAddress source, Span<short> scratch);
}

/// <summary>
/// Reads every call's RTP and RTCP sockets on one or a few dedicated threads, as media servers do, instead of an async
/// receive loop per socket on the thread pool: on Linux each thread waits in <c>epoll_wait</c> on the sockets it owns
/// (level-triggered, one datagram read per readiness) and hands each datagram to its <see cref="IDatagramSink"/>.
/// The receive buffer, the source address and the PCM scratch are the thread's, so a call keeps none of them, and a
/// steady stream allocates nothing. With 1,000 calls that is 2,000 sockets and 50,000 datagrams/s on one thread
/// instead of 2,000 pending receives whose completions queue on the thread pool in front of everything else
/// (docs/voice.md). Elsewhere than Linux the threads poll with <see cref="Socket.Select"/>.
/// </summary>
public sealed class RtpReceiver : IDisposable
{
    private static readonly Lazy<RtpReceiver> SharedInstance = new(() => new RtpReceiver(Math.Clamp(Environment.ProcessorCount / 4, 1, 4)));

    /// <summary>The process's receiver (its threads start with the first call and live as long as the process).</summary>
    public static RtpReceiver Shared => SharedInstance.Value;

    private readonly Lock _lock = new();
    private readonly ReceiveThread[] _threads;
    private Registration?[] _slots = new Registration?[64];
    private readonly Stack<int> _free = new();
    private int _used;
    private volatile bool _stopping;

    public RtpReceiver(int threads = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _threads = new ReceiveThread[threads];
        for (var i = 0; i < threads; i++) _threads[i] = new ReceiveThread(this, i);
    }

    /// <summary>The scheduling the receive threads got ("nice -15" or "default").</summary>
    public string Scheduling => _threads[0].Scheduling;

    /// <summary>Whether the threads wait in epoll (Linux) rather than poll with Socket.Select.</summary>
    public bool UsesEpoll => _threads[0].Epoll is not null;

    /// <summary>Sockets being read.</summary>
    public int Sockets
    {
        get { lock (_lock) return 2 * _threads.Sum(t => t.Count); }
    }

    /// <summary>Starts reading <paramref name="rtp"/> (channel 0) and <paramref name="rtcp"/> (channel 1) for <paramref name="sink"/>; both go to one thread.</summary>
    public Registration Register(Socket rtp, Socket rtcp, IDatagramSink sink)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        rtp.Blocking = false; // readiness can be spurious (a datagram dropped for its checksum): a read must never block the thread
        rtcp.Blocking = false;
        lock (_lock)
        {
            var thread = _threads.MinBy(t => t.Count)!;
            if (!_free.TryPop(out var index))
            {
                index = _used++;
                if (index == _slots.Length)
                {
                    var grown = new Registration?[_slots.Length * 2];
                    _slots.CopyTo(grown, 0);
                    Volatile.Write(ref _slots, grown);
                }
            }
            var registration = new Registration(this, thread, index, rtp, rtcp, sink);
            _slots[index] = registration;
            thread.Add(registration);
            return registration;
        }
    }

    private void Release(Registration registration)
    {
        lock (_lock)
        {
            registration.Thread.Remove(registration);
            _slots[registration.Index] = null;
            _free.Push(registration.Index);
        }
    }

    private Registration? Find(int index)
    {
        var slots = Volatile.Read(ref _slots);
        return (uint)index < (uint)slots.Length ? Volatile.Read(ref slots[index]) : null;
    }

    public void Dispose()
    {
        _stopping = true;
        foreach (var t in _threads) t.Stop();
    }

    /// <summary>One call's sockets on the receiver. Disposing it stops the reads; once it returns the sink is not called again.</summary>
    public sealed class Registration : IDisposable
    {
        private readonly RtpReceiver _owner;
        internal readonly Lock Gate = new();
        internal volatile bool Closed;

        internal Registration(RtpReceiver owner, ReceiveThread thread, int index, Socket rtp, Socket rtcp, IDatagramSink sink)
        {
            _owner = owner;
            Thread = thread;
            Index = index;
            Rtp = rtp;
            Rtcp = rtcp;
            Sink = sink;
        }

        internal ReceiveThread Thread { get; }
        internal int Index { get; }
        internal Socket Rtp { get; }
        internal Socket Rtcp { get; }
        internal IDatagramSink Sink { get; }

        public void Dispose()
        {
            // Under the gate: a datagram being handed over finishes first, and none follows.
            lock (Gate)
            {
                if (Closed) return;
                Closed = true;
            }
            _owner.Release(this);
        }
    }

    /// <summary>One receive thread and the sockets it owns.</summary>
    internal sealed class ReceiveThread
    {
        private const int MaxEvents = 256;
        private readonly RtpReceiver _owner;
        private readonly Thread _thread;
        private readonly HashSet<Registration> _registrations = [];
        private readonly byte[] _buffer = new byte[2048];
        private readonly short[] _pcm = new short[G711.SamplesPer20Ms];
        private SocketAddress? _from;
        private volatile bool _stopped;

        public ReceiveThread(RtpReceiver owner, int number)
        {
            _owner = owner;
            Epoll = LinuxEpoll.TryCreate();
            _thread = new Thread(Run) { IsBackground = true, Name = $"rtp-receive-{number}" };
            _thread.Start();
        }

        public LinuxEpoll? Epoll { get; }
        public string Scheduling { get; private set; } = "starting";

        /// <summary>Registrations on this thread (read under the receiver's lock).</summary>
        public int Count => _registrations.Count;

        public void Add(Registration r)
        {
            _registrations.Add(r);
            if (Epoll is { } epoll)
            {
                epoll.Add(r.Rtp, Key(r.Index, 0));
                epoll.Add(r.Rtcp, Key(r.Index, 1));
            }
        }

        public void Remove(Registration r)
        {
            _registrations.Remove(r);
            if (Epoll is { } epoll)
            {
                epoll.Remove(r.Rtp);
                epoll.Remove(r.Rtcp);
            }
        }

        public void Stop()
        {
            _stopped = true;
            _thread.Join(1000);
            Epoll?.Dispose();
        }

        private static ulong Key(int index, int channel) => ((ulong)(uint)index << 1) | (uint)channel;

        private void Run()
        {
            // Above the thread pool and other processes when allowed, as the SIP receive thread (not SCHED_FIFO: a flood must not own a core).
            Scheduling = PacerThreadPriority.Raise(realtime: false);
            if (Epoll is { } epoll) RunEpoll(epoll);
            else RunSelect();
        }

        private void RunEpoll(LinuxEpoll epoll)
        {
            var events = new LinuxEpoll.Events(MaxEvents);
            while (!_stopped)
            {
                // 200 ms: how soon Dispose is noticed; the wait returns as soon as any socket is readable.
                var n = epoll.Wait(events, 200);
                for (var i = 0; i < n; i++)
                {
                    var key = events.Data(i);
                    Dispatch((int)(key >> 1), (int)(key & 1));
                }
            }
        }

        /// <summary>Portable fallback: Socket.Select over this thread's sockets (allocates a list per round; not the production path).</summary>
        private void RunSelect()
        {
            var read = new List<Socket>();
            var owner = new Dictionary<Socket, (int Index, int Channel)>();
            while (!_stopped)
            {
                read.Clear();
                owner.Clear();
                lock (_owner._lock)
                    foreach (var r in _registrations)
                    {
                        read.Add(r.Rtp);
                        read.Add(r.Rtcp);
                        owner[r.Rtp] = (r.Index, 0);
                        owner[r.Rtcp] = (r.Index, 1);
                    }
                if (read.Count == 0)
                {
                    Thread.Sleep(20);
                    continue;
                }
                try { Socket.Select(read, null, null, 20_000); }
                catch (ObjectDisposedException) { continue; }
                catch (SocketException) { continue; }
                foreach (var s in read)
                    if (owner.TryGetValue(s, out var o)) Dispatch(o.Index, o.Channel);
            }
        }

        private void Dispatch(int index, int channel)
        {
            if (_owner.Find(index) is not { } r || r.Thread != this) return;
            lock (r.Gate)
            {
                if (r.Closed) return; // an event from the batch the registration was removed in
                var socket = channel == 0 ? r.Rtp : r.Rtcp;
                _from ??= new SocketAddress(socket.AddressFamily);
                if (_from.Family != socket.AddressFamily) _from = new SocketAddress(socket.AddressFamily);
                int received;
                try
                {
                    received = socket.ReceiveFrom(_buffer, SocketFlags.None, _from);
                }
                catch (SocketException) { return; } // would block (spurious readiness), reset, truncated
                catch (ObjectDisposedException) { return; }
                try { r.Sink.OnDatagram(channel, _buffer.AsSpan(0, received), _from, _pcm); }
                catch (Exception) { /* one broken call must not stop the others' media */ }
            }
        }
    }
}

/// <summary>Linux epoll through libc: an epoll instance, socket registration (level-triggered reads) and waits that allocate nothing.</summary>
internal sealed class LinuxEpoll : IDisposable
{
    private const int EpollCtlAdd = 1;
    private const int EpollCtlDel = 2;
    private const uint EpollIn = 0x001;
    private const int EpollCloexec = 0x80000;
    // struct epoll_event is packed on x86-64 (12 bytes: events at 0, data at 4); elsewhere it has natural alignment (16 bytes, data at 8).
    private static readonly int Stride = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;
    private readonly SafeFileHandle _fd;
    private readonly byte[] _ctl = new byte[16];

    private LinuxEpoll(SafeFileHandle fd) => _fd = fd;

    /// <summary>An epoll instance, or null off Linux or when libc does not have it.</summary>
    public static LinuxEpoll? TryCreate()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            var fd = epoll_create1(EpollCloexec);
            return fd < 0 ? null : new LinuxEpoll(new SafeFileHandle(fd, ownsHandle: true));
        }
        catch (DllNotFoundException) { return null; }
        catch (EntryPointNotFoundException) { return null; }
    }

    /// <summary>A reusable buffer of epoll events.</summary>
    public sealed class Events(int capacity)
    {
        internal readonly byte[] Buffer = new byte[capacity * Stride];
        public int Capacity { get; } = capacity;
        public ulong Data(int i) => MemoryMarshal.Read<ulong>(Buffer.AsSpan(i * Stride + DataOffset, 8));
    }

    public void Add(Socket socket, ulong data)
    {
        lock (_ctl)
        {
            Array.Clear(_ctl);
            var events = EpollIn;
            MemoryMarshal.Write(_ctl.AsSpan(0, 4), in events);
            MemoryMarshal.Write(_ctl.AsSpan(DataOffset, 8), in data);
            if (epoll_ctl(Fd, EpollCtlAdd, (int)socket.Handle, _ctl) != 0)
                throw new SocketException(Marshal.GetLastPInvokeError());
        }
    }

    public void Remove(Socket socket)
    {
        lock (_ctl)
        {
            try { _ = epoll_ctl(Fd, EpollCtlDel, (int)socket.Handle, _ctl); }
            catch (ObjectDisposedException) { /* closing the socket removed it already */ }
        }
    }

    /// <summary>Waits up to <paramref name="timeoutMs"/> for readable sockets; the number of events (0 on timeout or EINTR).</summary>
    public int Wait(Events events, int timeoutMs)
    {
        var n = epoll_wait(Fd, events.Buffer, events.Capacity, timeoutMs);
        return n < 0 ? 0 : n;
    }

    private int Fd => (int)_fd.DangerousGetHandle();

    public void Dispose() => _fd.Dispose();

#pragma warning disable SYSLIB1054 // DllImport keeps the project free of unsafe code; these are blittable calls.
    [DllImport("libc", SetLastError = true)]
    private static extern int epoll_create1(int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int epoll_ctl(int epfd, int op, int fd, byte[] ev);

    [DllImport("libc", SetLastError = true)]
    private static extern int epoll_wait(int epfd, [Out] byte[] events, int maxevents, int timeout);
#pragma warning restore SYSLIB1054
}
