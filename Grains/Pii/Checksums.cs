namespace Switchboard.Grains.Pii;

/// <summary>The check-digit schemes that tell a real card, Aadhaar or IBAN from any run of digits.</summary>
public static class Checksums
{
    public static bool Luhn(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        var doubleIt = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (d is < 0 or > 9) return false;
            if (doubleIt)
            {
                d *= 2;
                if (d > 9) d -= 9;
            }
            sum += d;
            doubleIt = !doubleIt;
        }
        return digits.Length > 0 && sum % 10 == 0;
    }

    private static readonly byte[,] VerhoeffD =
    {
        { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, { 1, 2, 3, 4, 0, 6, 7, 8, 9, 5 }, { 2, 3, 4, 0, 1, 7, 8, 9, 5, 6 },
        { 3, 4, 0, 1, 2, 8, 9, 5, 6, 7 }, { 4, 0, 1, 2, 3, 9, 5, 6, 7, 8 }, { 5, 9, 8, 7, 6, 0, 4, 3, 2, 1 },
        { 6, 5, 9, 8, 7, 1, 0, 4, 3, 2 }, { 7, 6, 5, 9, 8, 2, 1, 0, 4, 3 }, { 8, 7, 6, 5, 9, 3, 2, 1, 0, 4 },
        { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 },
    };

    private static readonly byte[,] VerhoeffP =
    {
        { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, { 1, 5, 7, 6, 2, 8, 3, 0, 9, 4 }, { 5, 8, 0, 3, 7, 9, 6, 1, 4, 2 },
        { 8, 9, 1, 6, 0, 4, 3, 5, 2, 7 }, { 9, 4, 5, 3, 1, 2, 6, 8, 7, 0 }, { 4, 2, 8, 6, 5, 7, 3, 9, 0, 1 },
        { 2, 7, 9, 3, 8, 0, 6, 4, 1, 5 }, { 7, 0, 4, 6, 9, 1, 3, 2, 5, 8 },
    };

    private static readonly byte[] VerhoeffInv = { 0, 4, 3, 2, 1, 5, 6, 7, 8, 9 };

    public static bool Verhoeff(ReadOnlySpan<char> digits)
    {
        var c = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i] - '0';
            if (d is < 0 or > 9) return false;
            c = VerhoeffD[c, VerhoeffP[i % 8, d]];
        }
        return digits.Length > 0 && c == 0;
    }

    /// <summary>The digit that makes <paramref name="digits"/> + it pass <see cref="Verhoeff"/>.</summary>
    public static char VerhoeffCheckDigit(ReadOnlySpan<char> digits)
    {
        var c = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i] - '0';
            c = VerhoeffD[c, VerhoeffP[(i + 1) % 8, d]];
        }
        return (char)('0' + VerhoeffInv[c]);
    }

    /// <summary>ISO 13616: move the first four characters to the end, letters to numbers, mod 97 must be 1.</summary>
    public static bool Iban(ReadOnlySpan<char> iban)
    {
        if (iban.Length is < 15 or > 34) return false;
        var remainder = 0;
        for (var i = 0; i < iban.Length; i++)
        {
            var ch = char.ToUpperInvariant(iban[(i + 4) % iban.Length]);
            if (ch is >= '0' and <= '9')
                remainder = (remainder * 10 + (ch - '0')) % 97;
            else if (ch is >= 'A' and <= 'Z')
                remainder = (remainder * 100 + (ch - 'A' + 10)) % 97;
            else
                return false;
        }
        return remainder == 1;
    }
}
