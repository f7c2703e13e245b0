namespace ClaimsService.Domain.Tests;

/// <summary>
/// Parameter sets built from the figures in rules.md, and small helpers to settle stays with them.
/// Tests vary a set with <c>with { … }</c> rather than building one from scratch.
/// </summary>
internal static class Sets
{
    // Resident per-capita disposable income 2019 (statistics bureaus, rules.md).
    public const decimal NationalIncome2019 = 30_733m;
    public const decimal GuangxiIncome2019 = 23_328.21m;
    public const decimal GuangxiIncome2018 = 21_485.03m;
    public const decimal YunnanIncome2019 = 22_082.43m;
    public const decimal YunnanIncome2017 = 18_348.34m;
    public const decimal JilinIncome2019 = 24_562.91m;

    /// <summary>A bare set: explicit deductible 10 000, one band at 60 %, no cap, no categories.</summary>
    public static ParameterSet Basic() => new()
    {
        Id = "test",
        Version = 1,
        RegionCode = "450000",
        Name = "test",
        EffectiveFrom = new DateOnly(2020, 1, 1),
        Deductible = 10_000m,
        Bands = [new Band(0m, 0.60m)],
    };

    /// <summary>National 2020 rule (医保发〔2020〕24号 §(五)) on the national 2019 income: 50 %, 60 %, poor halved +5 pp no cap.</summary>
    public static ParameterSet National2020() => new()
    {
        Id = "national-2020",
        Version = 1,
        RegionCode = "000000",
        Name = "National 2020",
        PolicyDocument = "医保发〔2020〕24号",
        EffectiveFrom = new DateOnly(2020, 1, 1),
        PerCapitaIncome = NationalIncome2019,
        IncomeYear = 2019,
        Bands = [new Band(0m, 0.60m)],
        Categories = new Dictionary<PersonCategory, CategoryAdjustment>
        {
            [PersonCategory.RegisteredPoor] = new(DeductibleFactor: 0.5m, RateBonus: 0.05m, CapWaived: true),
        },
    };

    /// <summary>Yunnan 2020: the national rule as forwarded by 云医保〔2020〕107号, in force from 2020-09-01.</summary>
    public static ParameterSet Yunnan2020() => National2020() with
    {
        Id = "yunnan-2020",
        RegionCode = "530000",
        Name = "Yunnan 2020",
        PolicyDocument = "云医保〔2020〕107号",
        EffectiveFrom = new DateOnly(2020, 9, 1),
        PerCapitaIncome = YunnanIncome2019,
    };

    /// <summary>
    /// Guangxi 2020 (桂医保发〔2020〕46号 二(二)): 50 % of the 2019 income, 60 %, referral minimum 60 %;
    /// registered poor −50 %, +10 pp, no cap; poverty-monitored treated as registered poor. No general cap is
    /// given in the notice, so none here. Effective date: the notice's date.
    /// </summary>
    public static ParameterSet Guangxi2020() => new()
    {
        Id = "guangxi-2020",
        Version = 1,
        RegionCode = "450000",
        Name = "Guangxi 2020",
        PolicyDocument = "桂医保发〔2020〕46号",
        EffectiveFrom = new DateOnly(2020, 7, 9),
        PerCapitaIncome = GuangxiIncome2019,
        IncomeYear = 2019,
        Bands = [new Band(0m, 0.60m)],
        ReferralMinRate = 0.60m,
        Categories = new Dictionary<PersonCategory, CategoryAdjustment>
        {
            [PersonCategory.RegisteredPoor] = new(DeductibleFactor: 0.5m, RateBonus: 0.10m, CapWaived: true),
            [PersonCategory.PovertyMonitored] = new(DeductibleFactor: 0.5m, RateBonus: 0.10m, CapWaived: true),
        },
    };

    /// <summary>
    /// Guangxi before the 2020 notice: 50 % rate (the notice raises it "由50%提高至60%"), deductible on the 2018
    /// income. Illustrative: used for a mid-year change and for the referral minimum lifting a 50 % band.
    /// </summary>
    public static ParameterSet Guangxi2019() => Guangxi2020() with
    {
        Id = "guangxi-2019",
        Name = "Guangxi before 2020-07-09",
        PolicyDocument = null,
        EffectiveFrom = new DateOnly(2019, 1, 1),
        PerCapitaIncome = GuangxiIncome2018,
        IncomeYear = 2018,
        Bands = [new Band(0m, 0.50m)],
    };

    /// <summary>
    /// Guilin (450300) from 2020-04-01, the city's announcement: deductible 12 000 (registered poor 3 000),
    /// 0–40 000 at 60 %, 40 000–60 000 at 70 %, above at 80 %, poor +10 pp, referral 60 %. The notice does not
    /// say the band basis, hence the parameter. Cap 400 000 as in api.md's sample body.
    /// </summary>
    public static ParameterSet Guilin2020(BandBasis basis = BandBasis.Cumulative) => new()
    {
        Id = "guilin-2020",
        Version = 1,
        RegionCode = "450300",
        Name = "Guilin 2020",
        PolicyDocument = "桂医保发〔2020〕46号",
        EffectiveFrom = new DateOnly(2020, 4, 1),
        PerCapitaIncome = GuangxiIncome2019,
        IncomeYear = 2019,
        Deductible = 12_000m,
        BandBasis = basis,
        Bands = [new Band(0m, 0.60m), new Band(40_000m, 0.70m), new Band(60_000m, 0.80m)],
        AnnualCap = 400_000m,
        ReferralMinRate = 0.60m,
        Categories = new Dictionary<PersonCategory, CategoryAdjustment>
        {
            [PersonCategory.RegisteredPoor] = new(Deductible: 3_000m, RateBonus: 0.10m, CapWaived: true),
        },
    };

    public static IReadOnlyDictionary<PersonCategory, CategoryAdjustment> Only(PersonCategory category, CategoryAdjustment adjustment) =>
        new Dictionary<PersonCategory, CategoryAdjustment> { [category] = adjustment };

    /// <summary>f(eligible year-to-date) of a set and category.</summary>
    public static PayoutEvaluation F(this ParameterSet set, decimal eligibleToDate,
        PersonCategory? category = null, bool referred = false) =>
        new PayoutFunction(set, category ?? PersonCategory.General, referred).Evaluate(eligibleToDate);

    /// <summary>Prices one settlement on an empty year.</summary>
    public static Pricing PriceAlone(this ParameterSet set, decimal eligible,
        PersonCategory? category = null, bool referred = false) =>
        Adjudicator.Price(set, category ?? PersonCategory.General, referred, YearToDate.Empty, eligible);

    /// <summary>Settles stays one at a time with one set and category; the pricings in order.</summary>
    public static IReadOnlyList<Pricing> SettleInOrder(this ParameterSet set, PersonCategory category, params decimal[] eligibleAmounts)
    {
        var position = YearToDate.Empty;
        var result = new List<Pricing>();
        foreach (var amount in eligibleAmounts)
        {
            var pricing = Adjudicator.Price(set, category, false, position, amount);
            result.Add(pricing);
            position = pricing.Ledger();
        }
        return result;
    }

    /// <summary>The year-to-date ledger after a settlement.</summary>
    public static YearToDate Ledger(this Pricing pricing) => pricing.Ledger;

    /// <summary>A stay to settle through the planner: its set, candidate categories, referral flag and eligible amount.</summary>
    public static AdjudicationCommand.Settle Stay(string id, decimal eligible, ParameterSet set, PersonCategory[]? candidates = null, bool referred = false) =>
        new(id, StayCosts.OfEligible(eligible), set, candidates ?? [], referred);

    /// <summary>Settles stays afresh, in order, through the planner, from an empty person-year.</summary>
    public static PersonYearState SettleAfresh(IEnumerable<AdjudicationCommand.Settle> stays) =>
        stays.Aggregate(PersonYearState.Empty, (state, stay) => Planner.Settle(state, stay).StateAfter);

    /// <summary>The payouts of a plan's stays, in order.</summary>
    public static decimal[] Payouts(this PersonYearState state) => state.Stays.Select(s => s.CurrentPayout).ToArray();
}
