using System.ComponentModel.DataAnnotations;

namespace ClaimsService.Api.Readjudication;

/// <summary>The <c>Readjudication</c> configuration section.</summary>
public sealed class ReadjudicationOptions
{
    public const string Section = "Readjudication";

    /// <summary>
    /// Person-years a committed run re-prices in one transaction (and a page of the region-year); default 200. Larger chunks
    /// take fewer round trips each; a settlement of a person-year in the chunk waits for the chunk to commit.
    /// </summary>
    [Range(1, 2000)]
    public int ChunkSize { get; set; } = 200;

    /// <summary>
    /// Chunks a committed run has in flight at most, each in its own transaction on its own connection: with 2, while one
    /// writes and commits, the next is read and planned (their key ranges never overlap, so they never wait on each other).
    /// Default 1: on the benchmark's 2 shared cores 2 ran no faster and the settlements answered meanwhile had a p99 of
    /// 225–325 ms instead of about 50 (bench/README.md "Re-adjudication run").
    /// </summary>
    [Range(1, 4)]
    public int ChunksInFlight { get; set; } = 1;
}
