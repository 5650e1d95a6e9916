using System.Runtime.InteropServices;

namespace Switchboard.Speech;

/// <summary>
/// Checks whether a native speech library can be loaded here, by its versioned name (the unversioned <c>.so</c> only
/// exists with the -dev packages). A missing library makes an engine unavailable with a plain reason, never a crash.
/// </summary>
public static class NativeLibraryProbe
{
    /// <summary>Null when all load; otherwise a sentence naming the first missing library and the Debian package.</summary>
    public static string? MissingReason(params (string Library, string DebianPackage)[] libraries)
    {
        foreach (var (library, package) in libraries)
        {
            if (!NativeLibrary.TryLoad(library, out var handle))
                return $"native library {library} is not installed (Debian package {package})";
            NativeLibrary.Free(handle);
        }
        return null;
    }
}
