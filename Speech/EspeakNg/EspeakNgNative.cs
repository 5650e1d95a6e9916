using System.Runtime.InteropServices;

namespace Switchboard.Speech.EspeakNg;

/// <summary>The part of espeak-ng 1.51's C API we use (Debian libespeak-ng1). The library has one global synthesiser.</summary>
internal static class EspeakNgNative
{
    public const string Library = "libespeak-ng.so.1";

    public const int AudioOutputSynchronous = 2;
    public const int PositionCharacter = 1;
    public const uint CharsUtf8 = 1;
    public const int ParameterRate = 1;
    public const int ParameterVolume = 2;

    /// <summary>Called with each synthesised chunk (22050 Hz PCM); a null/zero-length call marks the end. Return 1 to abort.</summary>
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    public delegate int SynthCallback(IntPtr wav, int samples, IntPtr events);

    /// <summary>Returns the sample rate in Hz, or -1 on failure.</summary>
    [DllImport(Library)]
    public static extern int espeak_Initialize(int output, int bufferLengthMs, IntPtr path, int options);

    [DllImport(Library)]
    public static extern void espeak_SetSynthCallback(SynthCallback callback);

    [DllImport(Library)]
    public static extern int espeak_SetVoiceByName([MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    [DllImport(Library)]
    public static extern int espeak_SetParameter(int parameter, int value, int relative);

    [DllImport(Library)]
    public static extern int espeak_Synth(byte[] text, nuint size, uint position, int positionType, uint endPosition,
        uint flags, IntPtr uniqueIdentifier, IntPtr userData);

    [DllImport(Library)]
    public static extern int espeak_Synchronize();
}
