using Switchboard.Channels.Voice.Calls;
using Switchboard.Grains.Interfaces.Conversation;

namespace Switchboard.Channels.Voice.Agent;

/// <summary>The dialog layer's <see cref="VoiceRenderer"/> as the call's reply wording: times, dates and references said the way a person says them, options read as "say or press".</summary>
public sealed class SpokenReplyRenderer : IVoiceReplyRenderer
{
    private readonly VoiceRenderer _renderer = new();

    public string Render(EngineReply reply) => _renderer.Render(reply).Speech;
}
