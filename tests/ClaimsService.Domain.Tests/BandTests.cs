namespace ClaimsService.Domain.Tests;

/// <summary>Rate bands, band basis, rate bonus and the referral minimum (rules.md; api.md "Parameter sets").</summary>
public class BandTests
{
    [Fact]
    public void CumulativeBasisPaysTheApiSketchExample()
    {
        // api.md: Guilin, eligible 50 000, cumulative basis:
        //   [12 000–40 000] × 0.6 = 16 800; [40 000–50 000] × 0.7 = 7 000; total 23 800.
        var pricing = Sets.Guilin2020(BandBasis.Cumulative).PriceAlone(50_000m);

        Assert.Equal(23_800m, pricing.Payout);
        Assert.Equal(12_000m, pricing.Evaluation.Deductible);
        Assert.False(pricing.Evaluation.CapApplied);
        Assert.Equal(
            [new TraceStep(12_000m, 40_000m, 0.60m, 16_800m), new TraceStep(40_000m, 50_000m, 0.70m, 7_000m)],
            pricing.Evaluation.Trace);
    }

    [Fact]
    public void AboveDeductibleBasisMeasuresBandEdgesFromTheDeductible()
    {
        // Same bands, edges on (cumulative − 12 000): the 60 % band runs to 52 000 cumulative, so all of
        // 12 000–50 000 is paid at 60 %: 38 000 × 0.6 = 22 800 (not 23 800).
        var pricing = Sets.Guilin2020(BandBasis.AboveDeductible).PriceAlone(50_000m);

        Assert.Equal(22_800m, pricing.Payout);
        Assert.Equal([new TraceStep(12_000m, 50_000m, 0.60m, 22_800m)], pricing.Evaluation.Trace);
    }

    [Fact]
    public void TheSameBandsPayDifferentlyOnEachBasisOnceEveryBandIsReached()
    {
        // Eligible 100 000.
        // cumulative:      [12 000–40 000] × 0.6 = 16 800; [40 000–60 000] × 0.7 = 14 000; [60 000–100 000] × 0.8 = 32 000 → 62 800.
        // aboveDeductible: [12 000–52 000] × 0.6 = 24 000; [52 000–72 000] × 0.7 = 14 000; [72 000–100 000] × 0.8 = 22 400 → 60 400.
        var cumulative = Sets.Guilin2020(BandBasis.Cumulative).F(100_000m);
        var aboveDeductible = Sets.Guilin2020(BandBasis.AboveDeductible).F(100_000m);

        Assert.Equal(62_800m, cumulative.Total);
        Assert.Equal(
            [new TraceStep(12_000m, 40_000m, 0.6m, 16_800m), new TraceStep(40_000m, 60_000m, 0.7m, 14_000m), new TraceStep(60_000m, 100_000m, 0.8m, 32_000m)],
            cumulative.Trace);
        Assert.Equal(60_400m, aboveDeductible.Total);
        Assert.Equal(
            [new TraceStep(12_000m, 52_000m, 0.6m, 24_000m), new TraceStep(52_000m, 72_000m, 0.7m, 14_000m), new TraceStep(72_000m, 100_000m, 0.8m, 22_400m)],
            aboveDeductible.Trace);
    }

    [Fact]
    public void BandBasisShiftsWithTheCategoryDeductible()
    {
        // Guilin registered poor: deductible 3 000, +10 pp, eligible 50 000.
        // cumulative:      [3 000–40 000] × 0.7 = 25 900; [40 000–50 000] × 0.8 = 8 000 → 33 900.
        // aboveDeductible: [3 000–43 000] × 0.7 = 28 000; [43 000–50 000] × 0.8 = 5 600 → 33 600.
        Assert.Equal(33_900m, Sets.Guilin2020(BandBasis.Cumulative).F(50_000m, PersonCategory.RegisteredPoor).Total);
        Assert.Equal(33_600m, Sets.Guilin2020(BandBasis.AboveDeductible).F(50_000m, PersonCategory.RegisteredPoor).Total);
    }

    [Fact]
    public void OnCumulativeBasisABandWhollyBelowTheDeductiblePaysNothing()
    {
        // Deductible 45 000: the 0–40 000 band lies under it; [45 000–50 000] × 0.7 = 3 500.
        var pricing = (Sets.Guilin2020() with { Deductible = 45_000m }).PriceAlone(50_000m);

        Assert.Equal(3_500m, pricing.Payout);
        Assert.Equal([new TraceStep(45_000m, 50_000m, 0.7m, 3_500m)], pricing.Evaluation.Trace);
    }

    [Fact]
    public void EachBandAmountIsRoundedAndTheTraceAddsUpToTheTotal()
    {
        // Deductible 0; [0–10.01] × 0.555 = 5.55555 → 5.56; [10.01–20.03] × 0.333 = 3.33666 → 3.34; total 8.90.
        var set = Sets.Basic() with { Deductible = 0m, Bands = [new Band(0m, 0.555m), new Band(10.01m, 0.333m)] };

        var f = set.F(20.03m);

        Assert.Equal([5.56m, 3.34m], f.Trace.Select(s => s.Amount));
        Assert.Equal(8.90m, f.Total);
        Assert.Equal(f.Total, f.Trace.Sum(s => s.Amount));
    }

    [Fact]
    public void BandAmountsRoundHalfAwayFromZero()
    {
        // (10 000.01 − 10 000) × 0.5 = 0.005 → 0.01 (banker's rounding would pay 0.00).
        var set = Sets.Basic() with { Bands = [new Band(0m, 0.5m)] };

        Assert.Equal(0.01m, set.PriceAlone(10_000.01m).Payout);
    }

    [Fact]
    public void RateBonusIsAddedToEveryBand()
    {
        // Guilin registered poor +10 pp, deductible 3 000, eligible 100 000:
        // [3 000–40 000] × 0.7 = 25 900; [40 000–60 000] × 0.8 = 16 000; [60 000–100 000] × 0.9 = 36 000 → 77 900.
        var f = Sets.Guilin2020().F(100_000m, PersonCategory.RegisteredPoor);

        Assert.Equal([0.7m, 0.8m, 0.9m], f.Trace.Select(s => s.Rate));
        Assert.Equal(77_900m, f.Total);
    }

    [Fact]
    public void NationalRegisteredPoorGetFivePercentagePointsMore()
    {
        // 医保发〔2020〕24号 §(五): 支付比例提高5个百分点.
        Assert.Equal(0.65m, Sets.National2020().F(50_000m, PersonCategory.RegisteredPoor).Trace.Single().Rate);
    }

    [Fact]
    public void GuangxiRegisteredPoorGetTenPercentagePointsMore()
    {
        // 桂医保发〔2020〕46号 二(二): 报销比例提高10%.
        Assert.Equal(0.70m, Sets.Guangxi2020().F(50_000m, PersonCategory.RegisteredPoor).Trace.Single().Rate);
    }

    [Fact]
    public void RatesTopOutAtOneHundredPercent()
    {
        // Top band 95 % + 10 pp = 105 % → 100 %. Guilin poor, eligible 100 000:
        // 25 900 + 16 000 + [60 000–100 000] × 1.0 = 40 000 → 81 900.
        var set = Sets.Guilin2020() with { Bands = [new Band(0m, 0.6m), new Band(40_000m, 0.7m), new Band(60_000m, 0.95m)] };

        var f = set.F(100_000m, PersonCategory.RegisteredPoor);

        Assert.Equal(1.0m, f.Trace[^1].Rate);
        Assert.Equal(81_900m, f.Total);
    }

    [Fact]
    public void ReferralMinimumLiftsALowerBandRate()
    {
        // Guangxi: referred treatment outside the region at least 60 % above the deductible (桂医保发〔2020〕46号 二(二)).
        // A 50 % band, deductible 10 742.52, eligible 50 000: 39 257.48 × 0.6 = 23 554.488 → 23 554.49
        // referred, against 39 257.48 × 0.5 = 19 628.74 not referred.
        var set = Sets.Guangxi2019();

        var referred = set.PriceAlone(50_000m, referred: true);
        var local = set.PriceAlone(50_000m, referred: false);

        Assert.Equal(0.60m, referred.Evaluation.Trace.Single().Rate);
        Assert.Equal(23_554.49m, referred.Payout);
        Assert.Equal(19_628.74m, local.Payout);
    }

    [Fact]
    public void ReferralMinimumNeverLowersAHigherRate()
    {
        // Guilin bands 60/70/80 % with a 60 % minimum: unchanged, 62 800 at 100 000 either way.
        var set = Sets.Guilin2020();

        var referred = set.F(100_000m, referred: true);

        Assert.Equal([0.6m, 0.7m, 0.8m], referred.Trace.Select(s => s.Rate));
        Assert.Equal(set.F(100_000m).Total, referred.Total);
    }

    [Fact]
    public void ReferralMinimumDoesNotReachBelowTheDeductible()
    {
        Assert.Equal(0m, Sets.Guangxi2019().PriceAlone(10_000m, referred: true).Payout);
    }

    [Fact]
    public void WithoutAReferralMinimumReferralChangesNothing()
    {
        var set = Sets.Guangxi2019() with { ReferralMinRate = null };

        Assert.Equal(set.F(50_000m).Total, set.F(50_000m, referred: true).Total);
    }

    [Fact]
    public void ReferralMinimumAndRateBonusTakeTheHigher()
    {
        // Guangxi 50 % band, registered poor +10 pp = 60 %; with a 65 % minimum the referral wins, with 55 % the bonus.
        var set = Sets.Guangxi2019();

        Assert.Equal(0.65m, (set with { ReferralMinRate = 0.65m }).F(50_000m, PersonCategory.RegisteredPoor, referred: true).Trace.Single().Rate);
        Assert.Equal(0.60m, (set with { ReferralMinRate = 0.55m }).F(50_000m, PersonCategory.RegisteredPoor, referred: true).Trace.Single().Rate);
    }
}
