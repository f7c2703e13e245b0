namespace ClaimsService.Browser.Tests.Infrastructure;

/// <summary>What the dashboard's layout checks run in the page.</summary>
public static class Layout
{
    /// <summary>Charts the dashboard draws once it has a summary.</summary>
    public const int Charts = 8;

    /// <summary>Every chart drawn and none still animating (Chart.js's animator), so a screenshot shows the whole picture.</summary>
    public static readonly string ChartsSettled = $$"""
        () => Object.keys(window.claimsDashboard.charts).length === {{Charts}}
          && !Object.values(window.claimsDashboard.charts).some((c) => Chart.animator && Chart.animator.running(c))
        """;

    /// <summary>
    /// Every text box whose content is wider than the box (cut, or spilling over its neighbour), every figure box that
    /// leaves its card or the page, and every pair of overlapping figure boxes: one line each, none when the layout holds.
    /// </summary>
    public const string CutOrOverlapping = """
        () => {
          const problems = [];
          const name = (el) => `${el.tagName.toLowerCase()}${el.dataset.testid ? '[' + el.dataset.testid + ']' : ''} "${el.textContent.trim().slice(0, 40)}"`;
          document.querySelectorAll('.kpi b, .kpi label, .kpi small, figcaption, .figures, .sets li span, .pill').forEach((el) => {
            if (el.scrollWidth > el.clientWidth + 1) problems.push(`cut: ${name(el)} ${el.scrollWidth} > ${el.clientWidth}`);
          });
          const page = document.documentElement.clientWidth;
          const boxes = [...document.querySelectorAll('.kpi, .card')];
          boxes.forEach((el) => {
            const r = el.getBoundingClientRect();
            if (r.right > page + 1) problems.push(`off the page: ${name(el)}`);
            el.querySelectorAll('b, table, canvas, ul, ol').forEach((child) => {
              const c = child.getBoundingClientRect();
              if (c.width > 0 && (c.right > r.right + 1 || c.left < r.left - 1)) problems.push(`out of its box: ${name(child)}`);
            });
          });
          for (let i = 0; i < boxes.length; i++)
            for (let j = i + 1; j < boxes.length; j++) {
              const a = boxes[i].getBoundingClientRect(), b = boxes[j].getBoundingClientRect();
              if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) problems.push(`overlap: ${name(boxes[i])} / ${name(boxes[j])}`);
            }
          return problems;
        }
        """;
}
