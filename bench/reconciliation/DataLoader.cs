using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace ClaimsService.Bench.Reconciliation;

/// <summary>The ids and payouts loaded for one region, in statement order: what an insurer's file is made from.</summary>
public sealed record LoadedRegion(string RegionCode, Guid[] Ids, long[] PayoutFen);

/// <summary>
/// Bulk-loads synthetic adjudications of one region straight into <c>adjudications</c> with a binary COPY: the shape of
/// what the service writes (settlements with a few reversals and adjustments), spread evenly over October 2020 (UTC+8).
/// </summary>
public static class DataLoader
{
    public static readonly DateOnly From = new(2020, 10, 1);
    public static readonly DateOnly To = new(2020, 10, 31);
    private static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    private const string Copy = """
        COPY adjudications (id, idempotency_key, kind, hospital_code, settlement_id, region_code, insured_id, policy_year, sequence,
            admission_date, discharge_date, referred_out_of_region, category, parameter_set_id, parameter_set_version, parameter_set_region,
            eligible_amount_fen, deductible_fen, eligible_before_fen, eligible_after_fen, paid_before_fen, paid_after_fen, payout_fen,
            cap_applied, related_id, reversed_by_id, request_hash, trace, adjudicated_at, business_date) FROM STDIN (FORMAT BINARY)
        """;

    public static async Task<(LoadedRegion Region, TimeSpan Took)> LoadAsync(string connectionString, string regionCode, int rows)
    {
        var watch = Stopwatch.StartNew();
        var random = new Random(rows);
        var start = new DateTimeOffset(From.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) - ChinaOffset;
        var step = TimeSpan.FromTicks((To.DayNumber - From.DayNumber + 1) * TimeSpan.TicksPerDay / rows);
        var ids = new Guid[rows];
        var payouts = new long[rows];
        var hospital = $"HB{regionCode}";
        string[] categories = ["general", "general", "general", "registered_poor", "poverty_monitored", "subsistence"];

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var importer = await connection.BeginBinaryImportAsync(Copy))
        {
            for (var i = 0; i < rows; i++)
            {
                var at = start + step * i;
                var id = Guid.CreateVersion7(at);
                // About 2 % reversals (of the row ten back) and 2 % adjustments; the rest settlements.
                var kind = i % 50 == 17 ? "reversal" : i % 50 == 33 ? "adjustment" : "settlement";
                var eligible = kind == "adjustment" ? 0 : random.NextInt64(2_000_00, 90_000_00);
                var payout = kind switch
                {
                    "reversal" => -payouts[i - 10],
                    "adjustment" => random.NextInt64(-3_000_00, 3_000_00),
                    _ => Math.Max(0, (eligible - 11_664_11) * 6 / 10),
                };
                ids[i] = id;
                payouts[i] = payout;
                var settlementId = kind == "reversal" ? $"BENCH-{i - 10:0000000}" : $"BENCH-{i:0000000}";
                var discharge = DateOnly.FromDateTime((at + ChinaOffset).UtcDateTime).AddDays(-random.Next(0, 20));
                importer.StartRow();
                importer.Write(id.ToString(), NpgsqlDbType.Varchar);
                importer.Write($"{kind[0]}|{hospital}|{settlementId}|{i}", NpgsqlDbType.Varchar);
                importer.Write(kind, NpgsqlDbType.Varchar);
                importer.Write(hospital, NpgsqlDbType.Varchar);
                importer.Write(settlementId, NpgsqlDbType.Varchar);
                importer.Write(regionCode, NpgsqlDbType.Varchar);
                importer.Write($"{regionCode}19{i % 100_000_000:00000000}{i % 10}X"[..18], NpgsqlDbType.Varchar);
                importer.Write(2020, NpgsqlDbType.Integer);
                importer.Write(1 + i % 7, NpgsqlDbType.Integer);
                importer.Write(discharge.AddDays(-5), NpgsqlDbType.Date);
                importer.Write(discharge, NpgsqlDbType.Date);
                importer.Write(false, NpgsqlDbType.Boolean);
                importer.Write(categories[i % categories.Length], NpgsqlDbType.Varchar);
                importer.Write("0192f0c0-0000-7000-8000-000000450000", NpgsqlDbType.Varchar);
                importer.Write(1, NpgsqlDbType.Integer);
                importer.Write("450000", NpgsqlDbType.Varchar);
                importer.Write(kind == "reversal" ? -eligible : eligible, NpgsqlDbType.Bigint);
                importer.Write(11_664_11L, NpgsqlDbType.Bigint);
                importer.Write(0L, NpgsqlDbType.Bigint);
                importer.Write(eligible, NpgsqlDbType.Bigint);
                importer.Write(0L, NpgsqlDbType.Bigint);
                importer.Write(Math.Max(0, payout), NpgsqlDbType.Bigint);
                importer.Write(payout, NpgsqlDbType.Bigint);
                importer.Write(false, NpgsqlDbType.Boolean);
                if (kind == "settlement") importer.WriteNull();
                else importer.Write(ids[i - 10].ToString(), NpgsqlDbType.Varchar);
                importer.WriteNull();
                importer.WriteNull();
                importer.Write("[]", NpgsqlDbType.Text);
                importer.Write(at.UtcDateTime, NpgsqlDbType.TimestampTz);
                importer.Write(DateOnly.FromDateTime((at + ChinaOffset).UtcDateTime), NpgsqlDbType.Date);
            }
            await importer.CompleteAsync();
        }
        // A table in steady state: statistics, visibility map and hint bits set now, not by the first timed read.
        await using (var vacuum = new NpgsqlCommand("VACUUM (ANALYZE) adjudications", connection)) await vacuum.ExecuteNonQueryAsync();
        await using (var checkpoint = new NpgsqlCommand("CHECKPOINT", connection)) await checkpoint.ExecuteNonQueryAsync();
        return (new LoadedRegion(regionCode, ids, payouts), watch.Elapsed);
    }

    /// <summary>
    /// The database's own limit for the statement: the same rows, columns and order copied out raw through Npgsql
    /// (COPY … TO STDOUT, raw bytes), read to the end and its lines counted.
    /// </summary>
    public static async Task<(long Rows, TimeSpan Took)> BaselineAsync(string connectionString, string regionCode)
    {
        var watch = Stopwatch.StartNew();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var sql = $"""
            COPY (SELECT id, kind, hospital_code, settlement_id, region_code, insured_id, policy_year, category, parameter_set_id,
                         parameter_set_version, eligible_amount_fen, payout_fen, related_id, adjudicated_at, business_date
                  FROM adjudications WHERE region_code = '{regionCode}' AND business_date >= '{From:yyyy-MM-dd}' AND business_date <= '{To:yyyy-MM-dd}'
                  ORDER BY business_date, adjudicated_at, id) TO STDOUT
            """.TrimEnd();
        // Raw binary COPY: no decoding into values, only the tuple framing walked to count rows. What the database and
        // Npgsql's wire layer deliver, with nothing on top.
        await using Stream stream = await connection.BeginRawBinaryCopyAsync(sql + " (FORMAT BINARY)");
        var buffer = new byte[256 * 1024];
        long rows = 0, skip = 19; // signature, flags, header extension length (0)
        int have = 0, fieldsLeft = -1;
        var done = false;
        while (!done)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(have));
            if (n == 0) break;
            have += n;
            var pos = 0;
            while (true)
            {
                if (skip > 0)
                {
                    var s = (int)Math.Min(skip, have - pos);
                    pos += s;
                    skip -= s;
                    if (skip > 0) break;
                }
                if (fieldsLeft <= 0)
                {
                    if (have - pos < 2) break;
                    var fields = System.Buffers.Binary.BinaryPrimitives.ReadInt16BigEndian(buffer.AsSpan(pos));
                    pos += 2;
                    if (fields == -1) { done = true; break; }
                    rows++;
                    fieldsLeft = fields;
                }
                else
                {
                    if (have - pos < 4) break;
                    var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(pos));
                    pos += 4;
                    fieldsLeft--;
                    if (length > 0) skip = length;
                }
            }
            buffer.AsSpan(pos, have - pos).CopyTo(buffer);
            have -= pos;
        }
        return (rows, watch.Elapsed);
    }
}
