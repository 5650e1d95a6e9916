using System.Runtime.InteropServices;

namespace Switchboard.Speech.Flite;

/// <summary>
/// The part of flite 2.2's C API we use (Debian libflite1): the kal voice speaks natively at 8 kHz (diphone); kal16 is
/// its 16 kHz diphone version; slt, rms and awb are statistical (clustergen) voices at 16 kHz, each in its own library.
/// </summary>
internal static class FliteNative
{
    public const string Library = "libflite.so.1";
    public const string KalVoice = "libflite_cmu_us_kal.so.1";
    public const string Kal16Voice = "libflite_cmu_us_kal16.so.1";
    public const string SltVoice = "libflite_cmu_us_slt.so.1";
    public const string RmsVoice = "libflite_cmu_us_rms.so.1";
    public const string AwbVoice = "libflite_cmu_us_awb.so.1";

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

    [DllImport(Kal16Voice)]
    public static extern IntPtr register_cmu_us_kal16(IntPtr voxdir);

    [DllImport(SltVoice)]
    public static extern IntPtr register_cmu_us_slt(IntPtr voxdir);

    [DllImport(RmsVoice)]
    public static extern IntPtr register_cmu_us_rms(IntPtr voxdir);

    [DllImport(AwbVoice)]
    public static extern IntPtr register_cmu_us_awb(IntPtr voxdir);

    [DllImport(Library)]
    public static extern IntPtr flite_text_to_wave([MarshalAs(UnmanagedType.LPUTF8Str)] string text, IntPtr voice);

    [DllImport(Library)]
    public static extern void delete_wave(IntPtr wave);
}
