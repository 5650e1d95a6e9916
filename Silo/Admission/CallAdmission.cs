using System.Threading.RateLimiting;

namespace Switchboard.Silo.Admission;

/// <summary>
/// What the SIP stack asks before it takes a new call (<c>AttemptAcquire(0)</c>): refused while the process is
/// saturated (<see cref="TurnAdmission.Saturated"/>), so the INVITE gets 503 with Retry-After. A call in progress
/// never asks again: its media and turns go on. A BCL type, so the voice channel needs no reference to the host;
/// registered under <c>InboundCalls.AdmissionKey</c>.
/// </summary>
public sealed class CallAdmission(TurnAdmission admission) : RateLimiter
{
    public override TimeSpan? IdleDuration => null;

    public override RateLimiterStatistics? GetStatistics() => null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount) =>
        admission.Saturated ? new Refused(admission.RetryAfter) : Admitted.Instance;

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    private sealed class Admitted : RateLimitLease
    {
        public static readonly Admitted Instance = new();
        public override bool IsAcquired => true;
        public override IEnumerable<string> MetadataNames => [];
        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }

    private sealed class Refused(TimeSpan retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => false;
        public override IEnumerable<string> MetadataNames => [MetadataName.RetryAfter.Name];
        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}
