#!/usr/bin/env python3
"""Writes a registry import file: N lines after the header, valid resident IDs (ISO 7064 MOD 11-2 check digit), every
20th line invalid (5 %: a wrong check digit, an unknown category, a bad date, in turn). Also writes the valid rows as the
COPY baseline's input, in person_categories' column order, so both load the very same rows.
usage: generate.py LINES import.csv copy.csv"""
import sys

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
C = "10X98765432"
CATEGORIES = ["registered_poor", "poverty_monitored", "subsistence", "extreme_poverty", "marginal"]


def check_digit(body):
    return C[sum(int(a) * b for a, b in zip(body, W)) % 11]


def main():
    lines, import_path, copy_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    with open(import_path, "w", encoding="utf-8", newline="") as out, open(copy_path, "w", encoding="utf-8", newline="") as copy:
        out.write("insuredId,regionCode,category,validFrom,validTo,source\r\n")
        for n in range(lines):
            # Unique people: a county prefix, a birth date and a sequence number from n.
            body = "450305%04d%02d%02d%03d" % (1940 + n // 336_000 % 66, 1 + n // 28_000 % 12, 1 + n // 1000 % 28, n % 1000)
            insured = body + check_digit(body)
            category = CATEGORIES[n % len(CATEGORIES)]
            valid_from = "20%02d-%02d-01" % (16 + n % 5, 1 + n % 12)
            valid_to = "" if n % 3 else "2020-12-31"
            source = "民政局 2020-06"
            if n % 20 == 19:
                kind = (n // 20) % 3
                if kind == 0:
                    insured = body + ("0" if check_digit(body) != "0" else "1")
                elif kind == 1:
                    category = "very_poor"
                else:
                    valid_from = "2020-13-01"
                out.write(f"{insured},450300,{category},{valid_from},{valid_to},{source}\r\n")
                continue
            out.write(f"{insured},450300,{category},{valid_from},{valid_to},{source}\r\n")
            copy.write(f"{insured},450300,{category},{valid_from},{valid_to},{source},2020-12-01 00:00:00+00,bench\n")


if __name__ == "__main__":
    main()
