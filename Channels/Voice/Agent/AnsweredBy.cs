namespace Switchboard.Channels.Voice.Agent;

/// <summary>Who answered a call we placed, as answering-machine detection heard it.</summary>
public enum AnsweredBy
{
    /// <summary>Not answered, detection off or not possible (no speech engines), or nothing said before the dialog started.</summary>
    Unknown,
    /// <summary>A short greeting, then silence: the dialog ran.</summary>
    Human,
    /// <summary>A long greeting (then the beep): a short voicemail was left and the call ended; no dialog.</summary>
    Machine,
}
