using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using ClaimsService.Data.Stores;
using ClaimsService.Domain;

namespace ClaimsService.Api.Settlements;

/// <summary>
/// The answer's <c>national</c> block (api.md "Settlements"): the identifiers the hospital sent, and the 大病 share under the
/// platform's names, so HIS code that reads the platform's settlement answer (2304) maps it field for field: <c>hifmi_pay</c>
/// (大病补充医疗保险基金支出) and one <c>setldetail</c> line of fund_pay_type 390200.
/// </summary>
public sealed record NationalAnswer(
    [property: JsonPropertyName("psn_no")] string PsnNo,
    [property: JsonPropertyName("mdtrt_id")] string MdtrtId,
    [property: JsonPropertyName("setl_id")] string SetlId,
    [property: JsonPropertyName("msgid")] string? Msgid,
    [property: JsonPropertyName("med_type")] string? MedType,
    [property: JsonPropertyName("insuplc_admdvs")] string? InsuplcAdmdvs,
    [property: JsonPropertyName("mdtrtarea_admvs")] string? MdtrtareaAdmvs,
    [property: JsonPropertyName("hifmi_pay")] decimal HifmiPay,
    [property: JsonPropertyName("setldetail")] IReadOnlyList<NationalFundLine> SetlDetail)
{
    /// <summary>城乡居民大病保险资金 in the platform's fund payment types.</summary>
    public const string SeriousIllnessFund = "390200";

    public static NationalAnswer? From(Adjudication a) => a.National is not { } ids ? null : new(
        ids.PsnNo, ids.MdtrtId, ids.SetlId, ids.Msgid, ids.MedType, ids.InsuplcAdmdvs, ids.MdtrtareaAdmvs, a.Payout,
        [new NationalFundLine(SeriousIllnessFund, a.EligibleAmount, a.CapRemaining, a.Payout, ProcessInfo(a))]);

    public const int ProcessInfoMaxLength = 4000;

    /// <summary>setl_proc_info: the calculation in one line of Chinese, as the platform's 结算过程信息 (at most 4 000 characters).</summary>
    public static string ProcessInfo(Adjudication a)
    {
        var text = new StringBuilder();
        if (a.Kind == Kinds.Reversal) text.Append(CultureInfo.InvariantCulture, $"冲销原结算{Amount(-a.Payout)}；");
        else if (a.Kind == Kinds.Adjustment) text.Append(CultureInfo.InvariantCulture, $"重新计算差额{Amount(a.Payout)}；");
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"起付线{Amount(a.Deductible)}；");
            foreach (var step in a.Trace)
                text.Append(CultureInfo.InvariantCulture, $"{Amount(step.From)}-{Amount(step.To)}元 {Percent(step.Rate)} {Amount(step.Amount)}；");
            if (a.CapApplied) text.Append("受年度封顶线或合计报销比例限制；");
        }
        text.Append(CultureInfo.InvariantCulture, $"本次大病保险支付{Amount(a.Payout)}");
        return text.Length <= ProcessInfoMaxLength ? text.ToString() : text.ToString(0, ProcessInfoMaxLength - 1) + "…";
    }

    internal static string Amount(decimal yuan) => yuan.ToString("0.00", CultureInfo.InvariantCulture);

    internal static string Percent(decimal rate) => (rate * 100m).ToString("0.##", CultureInfo.InvariantCulture) + "%";
}

/// <summary>One setldetail line: the fund, 符合范围金额 (the eligible amount), 本次可支付限额 (what the cap still allowed; absent with no cap), 基金支付金额, 结算过程信息.</summary>
public sealed record NationalFundLine(
    [property: JsonPropertyName("fund_pay_type")] string FundPayType,
    [property: JsonPropertyName("inscp_scp_amt")] decimal InscpScpAmt,
    [property: JsonPropertyName("crt_payb_lmt_amt")] decimal? CrtPaybLmtAmt,
    [property: JsonPropertyName("fund_payamt")] decimal FundPayamt,
    [property: JsonPropertyName("setl_proc_info")] string SetlProcInfo);
