using System.Globalization;
using System.Text;
using ClaimsService.Data.Stores;
using ClaimsService.Domain;

namespace ClaimsService.Api.Settlements;

/// <summary>
/// <c>GET /v1/settlements/{id}/explanation</c>: the calculation in Chinese as the 结算单 prints it (api.md "Settlements"):
/// 起付线, each band's range, rate and amount, the category, the cap, 本次大病保险支付, the year to date, the parameter set and its
/// policy document. Every figure is the stored answer's, formatted the same way (two decimals).
/// </summary>
public static class Explanation
{
    public static string Of(Adjudication r, ParameterSet? set)
    {
        static string A(decimal yuan) => NationalAnswer.Amount(yuan);
        var text = new StringBuilder();
        void Line(FormattableString line) => text.Append(line.ToString(CultureInfo.InvariantCulture)).Append('\n');

        Line($"城乡居民大病保险结算单");
        Line($"结算号：{r.SettlementId}");
        Line($"医疗机构：{r.HospitalCode}");
        Line($"参保人：{Mask(r.InsuredId)}");
        Line($"统筹区：{r.RegionCode}　政策年度：{r.PolicyYear}");
        if (r.AdmissionDate is { } admission && r.DischargeDate is { } discharge) Line($"住院日期：{admission:yyyy-MM-dd} 至 {discharge:yyyy-MM-dd}");
        if (r.National is { } ids) Line($"国家平台：人员编号 {ids.PsnNo}　就诊ID {ids.MdtrtId}　结算ID {ids.SetlId}");
        Line($"政策依据：{set?.Name ?? r.ParameterSetId}{(set?.PolicyDocument is { } doc ? $"（{doc}）" : "")}，参数版本 {r.ParameterSetVersion}");
        Line($"人员类别：{r.Category}{(r.Category == PersonCategory.General.Code ? "" : "（按该类别倾斜政策计算起付线、报销比例和封顶线）")}");
        if (r.InPolicyCost is { } cost) Line($"政策范围内费用：{A(cost)}元　基本医保支付：{A(r.BasicInsurancePaid ?? 0m)}元");
        Line($"进入大病保险的合规费用：{A(r.EligibleAmount)}元");
        Line($"起付线：{A(r.Deductible)}元");
        Line($"分段计算：");
        foreach (var step in r.Trace)
            Line($"  {A(step.From)}-{A(step.To)}元 × {NationalAnswer.Percent(step.Rate)} = {A(step.Amount)}元");
        Line($"封顶线：{(r.CapRemaining is { } left ? $"本次可支付限额 {A(left)}元" : "无年度封顶线")}{(r.CapApplied ? "；本次支付受封顶线或合计报销比例限制" : "")}");
        Line($"本次大病保险支付：{A(r.Payout)}元");
        Line($"年度累计合规费用：{A(r.Before.EligibleToDate)}元 → {A(r.After.EligibleToDate)}元");
        Line($"年度累计大病保险支付：{A(r.Before.PaidToDate)}元 → {A(r.After.PaidToDate)}元");
        if (r.ReversedById is not null) Line($"注：本结算已冲销（{r.ReversedById}）。");
        Line($"结算时间：{r.AdjudicatedAt:yyyy-MM-ddTHH:mm:ssZ}");
        return text.ToString();
    }

    // The 结算单 is handed to the patient: the identity number as printed receipts show it.
    private static string Mask(string insuredId) => insuredId.Length == 18 ? $"{insuredId[..6]}********{insuredId[14..]}" : "****";
}
