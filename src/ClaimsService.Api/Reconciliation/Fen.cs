using System.Globalization;

namespace ClaimsService.Api.Reconciliation;

/// <summary>Amounts in fen (0.01 CNY) to and from text, without allocating: statements and uploads are large.</summary>
internal static class Fen
{
    /// <summary>Longest amount accepted: 15 integer digits of CNY, so the fen always fit a long.</summary>
    private const int MaxIntegerDigits = 15;

    /// <summary>CNY with exactly two decimals (JSON writes its scale): 12.3 → 12.30.</summary>
    public static decimal ToDecimal(long fen)
    {
        var magnitude = fen < 0 ? (ulong)-fen : (ulong)fen;
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), 0, fen < 0, 2);
    }

    /// <summary>Writes invariant CNY with exactly two decimals (-0.50, 1234.00); returns the bytes written.</summary>
    public static int Format(long fen, Span<byte> destination)
    {
        var n = 0;
        if (fen < 0) destination[n++] = (byte)'-';
        var magnitude = fen < 0 ? (ulong)-fen : (ulong)fen;
        (magnitude / 100).TryFormat(destination[n..], out var written, default, CultureInfo.InvariantCulture);
        n += written;
        var cents = (int)(magnitude % 100);
        destination[n++] = (byte)'.';
        destination[n++] = (byte)('0' + cents / 10);
        destination[n++] = (byte)('0' + cents % 10);
        return n;
    }

    /// <summary>
    /// Reads <c>[+-]digits[.digits]</c>: at most two significant decimals (further zeros are allowed, 1.500 = 1.50),
    /// no exponent, no grouping. Surrounding spaces are ignored.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out long fen)
    {
        fen = 0;
        text = text.Trim((byte)' ');
        var i = 0;
        var negative = false;
        if (i < text.Length && text[i] is (byte)'-' or (byte)'+') negative = text[i++] == '-';
        long units = 0;
        var digits = 0;
        for (; i < text.Length && char.IsAsciiDigit((char)text[i]); i++, digits++)
        {
            if (digits == MaxIntegerDigits) return false;
            units = units * 10 + (text[i] - '0');
        }
        if (digits == 0) return false;
        long cents = 0;
        if (i < text.Length && text[i] == '.')
        {
            i++;
            var decimals = 0;
            for (; i < text.Length && char.IsAsciiDigit((char)text[i]); i++, decimals++)
            {
                if (decimals < 2) cents = cents * 10 + (text[i] - '0');
                else if (text[i] != '0') return false;
            }
            if (decimals == 0) return false;
            if (decimals == 1) cents *= 10;
        }
        if (i != text.Length) return false;
        fen = units * 100 + cents;
        if (negative) fen = -fen;
        return true;
    }
}
