using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Switchboard.Speech.Network;

#pragma warning disable MEAI001 // Microsoft.Extensions.AI's speech abstractions are marked experimental in 10.11.

/// <summary>
/// The Microsoft.Extensions.AI speech clients over an OpenAI-compatible server (the <c>OpenAI</c> SDK's audio client):
/// the engines talk to <see cref="ISpeechToTextClient"/> and <see cref="ITextToSpeechClient"/>, not to HTTP.
/// </summary>
public static class NetworkAudioClients
{
    public static ISpeechToTextClient SpeechToText(NetworkSpeechOptions options) =>
        Client(options).GetAudioClient(options.SpeechToTextModel).AsISpeechToTextClient();

    public static ITextToSpeechClient TextToSpeech(NetworkSpeechOptions options) =>
        Client(options).GetAudioClient(options.TextToSpeechModel).AsITextToSpeechClient();

    private static OpenAIClient Client(NetworkSpeechOptions options) =>
        new(new ApiKeyCredential(options.ApiKey), new OpenAIClientOptions
        {
            Endpoint = new Uri(options.Endpoint),
            // A caller is waiting: no retries, the embedded engine answers instead (each engine bounds its own wait).
            RetryPolicy = new ClientRetryPolicy(0),
        });
}
