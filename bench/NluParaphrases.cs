namespace Switchboard.Bench;

/// <summary>
/// Held-out paraphrases: how customers put each intent in their own words (typos, Indian English, chat style), none of
/// them a training example of the bots. Written before the encoder was measured and not tuned against.
/// </summary>
public static class NluParaphrases
{
    public static readonly IReadOnlyDictionary<string, (string Text, string Intent)[]> ByBot = new Dictionary<string, (string, string)[]>
    {
        ["airline"] =
        [
            ("is my plane leaving on schedule", "flight_status"),
            ("any delay on SW 404?", "flight_status"),
            ("what time is boarding for my flight", "flight_status"),
            ("flight running late or what", "flight_status"),
            ("has SW 12 departed yet", "flight_status"),
            ("my connecting flight already left, what now", "rebook"),
            ("kindly rebook me on the next available flight", "rebook"),
            ("i mised my conection", "rebook"),
            ("need to prepone my flight", "rebook"),
            ("the first leg was late and I couldn't make the second", "rebook"),
            ("can you put me on a different plane", "rebook"),
            ("ring me please", "call_us"),
            ("is there a helpline number", "call_us"),
            ("I'd rather sort this out over the phone", "call_us"),
            ("good morning", "greet"),
            ("hey there", "greet"),
            ("that's all, thanks bye", "goodbye"),
            ("thx a lot", "thanks"),
            ("what all can you do for me", "help"),
            ("I'm lost, help", "help"),
            ("come again?", "repeat"),
            ("let's begin from the start", "start_over"),
            ("no no, scrap all of this", "cancel"),
            ("connect me to customer care executive", "agent"),
            ("I want to talk to a real human", "agent"),
        ],
        ["autoservice"] =
        [
            ("my car needs a checkup", "book_service"),
            ("want to give my car for servicing", "book_service"),
            ("book slot for oil change", "book_service"),
            ("car brakes are squeaking, need to get it checked", "book_service"),
            ("can I get an appointment at Pune workshop", "book_service"),
            ("need new tyres fitted", "book_service"),
            ("got some recall letter from u guys", "recall_notice"),
            ("is my vehicle part of the recall", "recall_notice"),
            ("what's this safety campaign about", "recall_notice"),
            ("received an sms about a recall", "recall_notice"),
            ("is there a recall on my car", "recall_notice"),
            ("can I ring you", "call_us"),
            ("give me your phone number", "call_us"),
            ("hello there", "greet"),
            ("hi good evening", "greet"),
            ("ok that's it, bye", "goodbye"),
            ("thank u so much", "thanks"),
            ("what can I do here", "help"),
            ("say it once more", "repeat"),
            ("start all over again", "start_over"),
            ("forget it, cancel", "cancel"),
            ("I want to speak to a service advisor", "agent"),
            ("put me through to a human", "agent"),
        ],
    };
}
