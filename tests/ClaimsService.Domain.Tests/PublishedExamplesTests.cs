namespace ClaimsService.Domain.Tests;

/// <summary>
/// Worked examples from the published rules (rules.md "What the documents say, by region") and the statistics
/// bureaus' income figures. Each expected figure is worked by hand in the comment, rounded half away from zero.
/// </summary>
public class PublishedExamplesTests
{
    [Fact]
    public void Guangxi2020GeneralResident()
    {
        // 桂医保发〔2020〕46号 二(二): 起付线 = 2019 Guangxi income 23 328.21 × 50 % = 11 664.105 → 11 664.11; 60 %.
        // Eligible 50 000: (50 000 − 11 664.11) × 0.6 = 38 335.89 × 0.6 = 23 001.534 → 23 001.53.
        var pricing = Sets.Guangxi2020().PriceAlone(50_000m);

        Assert.Equal(11_664.11m, pricing.Evaluation.Deductible);
        Assert.Equal(23_001.53m, pricing.Payout);
        Assert.Equal([new TraceStep(11_664.11m, 50_000m, 0.60m, 23_001.53m)], pricing.Evaluation.Trace);
    }

    [Fact]
    public void Guangxi2020RegisteredPoor()
    {
        // 桂医保发〔2020〕46号 二(二): 起付线降低50%, 报销比例提高10%, 取消封顶线.
        // Deductible 11 664.11 × 0.5 = 5 832.055 → 5 832.06; rate 70 %.
        // Eligible 50 000: (50 000 − 5 832.06) × 0.7 = 44 167.94 × 0.7 = 30 917.558 → 30 917.56.
        var pricing = Sets.Guangxi2020().PriceAlone(50_000m, PersonCategory.RegisteredPoor);

        Assert.Equal(5_832.06m, pricing.Evaluation.Deductible);
        Assert.Null(pricing.Evaluation.Cap);
        Assert.Equal(30_917.56m, pricing.Payout);
    }

    [Fact]
    public void Guangxi2020PovertyMonitoredHouseholdIsTreatedAsRegisteredPoor()
    {
        // 桂医保发〔2020〕46号: 脱贫监测户 treated as registered poor households: the same 30 917.56.
        Assert.Equal(30_917.56m, Sets.Guangxi2020().PriceAlone(50_000m, PersonCategory.PovertyMonitored).Payout);
    }

    [Fact]
    public void Guangxi2020ReferredGeneralResidentAlreadyGetsTheMinimum()
    {
        // 桂医保发〔2020〕46号 二(二): 需转区外治疗的…最低为60%. The 2020 rate is already 60 %: 23 001.53 either way.
        Assert.Equal(23_001.53m, Sets.Guangxi2020().PriceAlone(50_000m, referred: true).Payout);
    }

    [Fact]
    public void Guangxi2020TwoStaysPayWhatOneStayOfTheSameCostsPays()
    {
        // 桂医保发〔2020〕46号 with 医保发〔2020〕24号: 累计计算. 20 000 then 30 000: 5 001.53 + (23 001.53 − 5 001.53) = 23 001.53.
        var pricings = Sets.Guangxi2020().SettleInOrder(PersonCategory.General, 20_000m, 30_000m);

        Assert.Equal([5_001.53m, 18_000.00m], pricings.Select(p => p.Payout));
        Assert.Equal(23_001.53m, pricings.Sum(p => p.Payout));
    }

    [Fact]
    public void National2020GeneralResident()
    {
        // 医保发〔2020〕24号 §(五): 起付线 = national 2019 income 30 733 × 50 % = 15 366.50; 60 %.
        // Eligible 50 000: (50 000 − 15 366.50) × 0.6 = 34 633.50 × 0.6 = 20 780.10.
        var pricing = Sets.National2020().PriceAlone(50_000m);

        Assert.Equal(15_366.50m, pricing.Evaluation.Deductible);
        Assert.Equal(20_780.10m, pricing.Payout);
    }

    [Fact]
    public void National2020RegisteredPoor()
    {
        // 医保发〔2020〕24号 §(五): 起付线降低一半, 支付比例提高5个百分点, 取消封顶线.
        // Deductible 15 366.50 × 0.5 = 7 683.25; rate 65 %.
        // Eligible 50 000: (50 000 − 7 683.25) × 0.65 = 42 316.75 × 0.65 = 27 505.8875 → 27 505.89.
        var pricing = Sets.National2020().PriceAlone(50_000m, PersonCategory.RegisteredPoor);

        Assert.Equal(7_683.25m, pricing.Evaluation.Deductible);
        Assert.Null(pricing.Evaluation.Cap);
        Assert.Equal(27_505.89m, pricing.Payout);
    }

    [Fact]
    public void Yunnan2020GeneralResident()
    {
        // 云医保〔2020〕107号 forwarding 医保发〔2020〕24号 §(五), from 2020-09-01.
        // Deductible: Yunnan 2019 income 22 082.43 × 50 % = 11 041.215 → 11 041.22.
        // Eligible 50 000: (50 000 − 11 041.22) × 0.6 = 38 958.78 × 0.6 = 23 375.268 → 23 375.27.
        var pricing = Sets.Yunnan2020().PriceAlone(50_000m);

        Assert.Equal(11_041.22m, pricing.Evaluation.Deductible);
        Assert.Equal(23_375.27m, pricing.Payout);
    }

    [Fact]
    public void Yunnan2020RegisteredPoor()
    {
        // 云医保〔2020〕107号 / 医保发〔2020〕24号 §(五): deductible 11 041.22 × 0.5 = 5 520.61; 65 %.
        // Eligible 50 000: (50 000 − 5 520.61) × 0.65 = 44 479.39 × 0.65 = 28 911.6035 → 28 911.60.
        var pricing = Sets.Yunnan2020().PriceAlone(50_000m, PersonCategory.RegisteredPoor);

        Assert.Equal(5_520.61m, pricing.Evaluation.Deductible);
        Assert.Equal(28_911.60m, pricing.Payout);
    }

    [Fact]
    public void Guilin2020GeneralResidentAsInTheApiSketch()
    {
        // Guilin's announcement (rules.md), cumulative basis, eligible 50 000 (inPolicyCost 80 000 − basic 30 000):
        // [12 000–40 000] × 0.6 = 16 800 + [40 000–50 000] × 0.7 = 7 000 → 23 800.
        var pricing = Sets.Guilin2020().PriceAlone(80_000m - 30_000m);

        Assert.Equal(23_800m, pricing.Payout);
        Assert.Equal(new YearToDate(50_000m, 23_800m), pricing.Ledger());
    }

    [Fact]
    public void Guilin2020RegisteredPoor()
    {
        // Guilin's announcement: registered poor deductible 3 000, +10 pp (桂医保发〔2020〕46号 二(二)), no cap.
        // Cumulative basis, eligible 50 000: [3 000–40 000] × 0.7 = 25 900 + [40 000–50 000] × 0.8 = 8 000 → 33 900.
        var pricing = Sets.Guilin2020().PriceAlone(50_000m, PersonCategory.RegisteredPoor);

        Assert.Equal(3_000m, pricing.Evaluation.Deductible);
        Assert.Equal(33_900m, pricing.Payout);
    }

    [Fact]
    public void Jilin2020FiguresAreDataNotCode()
    {
        // 吉医保联〔2020〕15号 (五) defers the figures to Jilin's contract documents: a set carries whatever they say.
        // Here 50 % of Jilin's 2019 income: 24 562.91 × 0.5 = 12 281.455 → 12 281.46; 60 %;
        // eligible 50 000: 37 718.54 × 0.6 = 22 631.124 → 22 631.12.
        var set = Sets.National2020() with { RegionCode = "220000", PolicyDocument = "吉医保联〔2020〕15号", PerCapitaIncome = Sets.JilinIncome2019 };

        var pricing = set.PriceAlone(50_000m);

        Assert.Equal(12_281.46m, pricing.Evaluation.Deductible);
        Assert.Equal(22_631.12m, pricing.Payout);
    }
}
