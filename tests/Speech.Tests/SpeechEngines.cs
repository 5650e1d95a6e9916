using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Speech.EspeakNg;
using Switchboard.Speech.Flite;
using Switchboard.Speech.PocketSphinx;

namespace Switchboard.Speech.Tests;

/// <summary>The real embedded engines, loaded once for all tests (decoders take ~0.5 s each).</summary>
public sealed class SpeechEngines : IDisposable
{
    public PocketSphinxSpeechToText Recognizer { get; } = new(new PocketSphinxOptions { WarmDecoders = 2 }, NullLogger<PocketSphinxSpeechToText>.Instance);

    public EspeakNgTextToSpeech Espeak { get; } = new(new EspeakNgOptions(), NullLogger<EspeakNgTextToSpeech>.Instance);

    public FliteTextToSpeech Flite { get; } = new(NullLogger<FliteTextToSpeech>.Instance);

    public void Dispose() => Recognizer.Dispose();
}

[CollectionDefinition(Name)]
public sealed class SpeechEnginesCollection : ICollectionFixture<SpeechEngines>
{
    public const string Name = "speech engines";
}
