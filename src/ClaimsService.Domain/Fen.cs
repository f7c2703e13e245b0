using System.Globalization;

namespace ClaimsService.Domain;

/// <summary>
/// An amount in fen (分, 0.01 CNY): how amounts are stored (BIGINT) and summed exactly. The one place yuan become fen
/// (rounded half away from zero, 四舍五入) and fen become yuan (exactly two decimals), and where fen are read from and
/// written to text without allocating (statements and uploads are large).
/// </summary>
public readonly record struct Fen(long Value)
{
    /// <summary>CNY rounded half away from zero to the fen.</summary>
    public static Fen Of(decimal yuan) => new((long)Math.Round(yuan * 100m, 0, MidpointRounding.AwayFromZero));

    /// <summary>CNY with exactly two decimals.</summary>
    public decimal Yuan => ToDecimal(Value);

    public override string ToString() => Yuan.ToString("0.00", CultureInfo.InvariantCulture);

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
