using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClaimsService.Api.Infrastructure;

/// <summary>
/// Reads a JSON number into a decimal only when the decimal holds it exactly. The built-in reader rounds what does not
/// fit (1e-30 becomes 0, 80000.0000000000000000000000001 becomes 80000), which would let an amount with more than two
/// decimals through the two-decimal check; this refuses such a number instead, naming its field.
/// </summary>
public sealed class ExactDecimalConverter : JsonConverter<decimal>
{
    /// <summary>What a decimal carries exactly: 28 significant digits, the last at most 28 places after the point.</summary>
    private const int MaxDigits = 28;

    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.Number) throw new JsonException("The JSON value could not be converted to System.Decimal.");
        Span<byte> buffer = stackalloc byte[64];
        ReadOnlySpan<byte> text = reader.HasValueSequence
            ? reader.ValueSequence.Length <= buffer.Length ? Copy(reader.ValueSequence, buffer) : throw Inexact()
            : reader.ValueSpan;
        if (!IsExact(text) || !decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) throw Inexact();
        return value;
    }

    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) => writer.WriteNumberValue(value);

    /// <summary>True when the number's significant digits and its lowest place fit a decimal (JSON grammar assumed: the reader checked it).</summary>
    internal static bool IsExact(ReadOnlySpan<byte> text)
    {
        var i = text.Length > 0 && text[0] == '-' ? 1 : 0;
        int significant = 0, trailingZeros = 0, fractionDigits = 0;
        var inFraction = false;
        for (; i < text.Length && text[i] is not ((byte)'e' or (byte)'E'); i++)
        {
            if (text[i] == '.')
            {
                inFraction = true;
                continue;
            }
            if (inFraction) fractionDigits++;
            if (text[i] == '0')
            {
                if (significant > 0) trailingZeros++;
                continue;
            }
            significant += trailingZeros + 1;
            trailingZeros = 0;
        }
        if (significant == 0) return true; // zero, however written
        long exponent = 0;
        if (i < text.Length)
        {
            var negative = ++i < text.Length && text[i] == '-';
            if (i < text.Length && text[i] is (byte)'-' or (byte)'+') i++;
            for (; i < text.Length; i++)
                if ((exponent = exponent * 10 + (text[i] - '0')) > 1000) return false;
            if (negative) exponent = -exponent;
        }
        // The value is (significant digits) × 10^lowest.
        var lowest = exponent - fractionDigits + trailingZeros;
        return significant <= MaxDigits && lowest >= -MaxDigits && lowest + significant <= MaxDigits + 1;
    }

    private static ReadOnlySpan<byte> Copy(ReadOnlySequence<byte> sequence, Span<byte> buffer)
    {
        sequence.CopyTo(buffer);
        return buffer[..(int)sequence.Length];
    }

    private static InexactNumberException Inexact() => new();
}

/// <summary>A JSON number that no decimal holds exactly; answered as a field error.</summary>
public sealed class InexactNumberException() : JsonException("Not exactly representable: send at most two decimals for amounts, no exponent beyond what the value needs.");
