using System.Runtime.InteropServices;

namespace Switchboard.Channels.Voice.Speech.Flite;

/// <summary>The part of flite 2.2's C API we use (Debian libflite1): the kal voice speaks natively at 8 kHz.</summary>
internal static class FliteNative
{
    public const string Library = "libflite.so.1";
    public const string KalVoice = "libflite_cmu_us_kal.so.1";

    [StructLayout(LayoutKind.Sequential)]
    public struct Wave
    {
        public IntPtr Type;
        public int SampleRate;
        public int SampleCount;
        public int ChannelCount;
        public IntPtr Samples;
    }

    [DllImport(Library)]
    public static extern int flite_init();

    [DllImport(KalVoice)]
    public static extern IntPtr register_cmu_us_kal(IntPtr voxdir);

    [DllImport(Library)]
    public static extern IntPtr flite_text_to_wave([MarshalAs(UnmanagedType.LPUTF8Str)] string text, IntPtr voice);

    [DllImport(Library)]
    public static extern void delete_wave(IntPtr wave);
}
