namespace Switchboard.Bench.Webhooks;

/// <summary>A server that answers signed WhatsApp webhooks at <c>{BaseUrl}/webhooks/whatsapp</c> and replies through the Graph stand-in.</summary>
public interface IWebhookPeer : IAsyncDisposable
{
    /// <summary>The <c>--only</c> name: <c>base</c>, <c>stitched</c>, <c>file</c> or <c>redis</c>.</summary>
    string Key { get; }

    string Label { get; }

    string BaseUrl { get; }
}
