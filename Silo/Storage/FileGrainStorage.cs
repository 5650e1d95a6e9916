using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Orleans.Storage;

namespace Switchboard.Silo.Storage;

/// <summary>
/// The embedded durable store: one file per grain state, written to a temporary file, flushed and renamed over the
/// old one, so a crash leaves the old or the new state, never half of one. File names are hashes of the grain id,
/// so no key (and no address) appears on disk. ETags make concurrent writers from two activations fail loudly.
/// Good for one silo on one disk; a cluster uses Redis.
/// </summary>
public sealed class FileGrainStorage(string name, string root, IGrainStorageSerializer serializer) : IGrainStorage
{
    private readonly string _root = Directory.CreateDirectory(System.IO.Path.Combine(root, name)).FullName;
    // One silo owns the folder, so the last ETag written or read is the file's: no read before each write.
    private readonly ConcurrentDictionary<string, string?> _etags = new();

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathFor(stateName, grainId);
        if (!File.Exists(path))
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            _etags[path] = null;
            return;
        }
        var bytes = await File.ReadAllBytesAsync(path);
        var etagLength = bytes[0];
        grainState.ETag = Encoding.ASCII.GetString(bytes, 1, etagLength);
        _etags[path] = grainState.ETag;
        grainState.State = serializer.Deserialize<T>(new BinaryData(bytes.AsMemory(1 + etagLength)));
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathFor(stateName, grainId);
        await CheckETag(path, grainState.ETag, stateName, grainId);
        var etag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var data = serializer.Serialize(grainState.State).ToMemory();
        var temp = path + "." + etag + ".tmp";
        await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
        {
            file.WriteByte((byte)etag.Length);
            await file.WriteAsync(Encoding.ASCII.GetBytes(etag));
            await file.WriteAsync(data);
            await file.FlushAsync();
        }
        File.Move(temp, path, overwrite: true);
        _etags[path] = etag;
        grainState.ETag = etag;
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathFor(stateName, grainId);
        await CheckETag(path, grainState.ETag, stateName, grainId);
        File.Delete(path);
        _etags[path] = null;
        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Activator.CreateInstance<T>();
    }

    private async Task CheckETag(string path, string? expected, string stateName, GrainId grainId)
    {
        if (_etags.TryGetValue(path, out var known))
        {
            if (known != expected)
                throw new InconsistentStateException($"State '{stateName}' of {grainId.Type} changed underneath this activation.", known ?? "", expected ?? "");
            return;
        }
        string? current = null;
        if (File.Exists(path))
        {
            await using var file = File.OpenRead(path);
            var length = file.ReadByte();
            var buffer = new byte[length];
            await file.ReadExactlyAsync(buffer);
            current = Encoding.ASCII.GetString(buffer);
        }
        if (current != expected)
            throw new InconsistentStateException($"State '{stateName}' of {grainId.Type} changed underneath this activation.", current ?? "", expected ?? "");
    }

    private string PathFor(string stateName, GrainId grainId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(grainId.ToString() + "\0" + stateName));
        var file = Convert.ToHexStringLower(hash);
        var dir = System.IO.Path.Combine(_root, file[..2]);
        Directory.CreateDirectory(dir);
        return System.IO.Path.Combine(dir, file + ".state");
    }
}
