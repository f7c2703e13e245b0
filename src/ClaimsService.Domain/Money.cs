namespace ClaimsService.Domain;

/// <summary>CNY amounts: decimal, rounded half away from zero (四舍五入) to 0.01.</summary>
public static class Money
{
    public const decimal Max = 99_999_999.99m;

    public static decimal Round(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);

    /// <summary>Rounds to a multiple of <paramref name="unit"/> (0.01, 1, 10, …), half away from zero.</summary>
    public static decimal RoundTo(decimal amount, decimal unit) =>
        unit <= 0 ? Round(amount) : Math.Round(amount / unit, 0, MidpointRounding.AwayFromZero) * unit;

    /// <summary>True when the amount has no more than two decimals.</summary>
    public static bool HasAtMostTwoDecimals(decimal amount) => decimal.Round(amount, 2) == amount;

    public static long ToFen(decimal amount) => Fen.Of(amount).Value;

    public static decimal FromFen(long fen) => Fen.ToDecimal(fen);
}
