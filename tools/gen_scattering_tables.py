#!/usr/bin/env python3
"""Generate the C tables of electron scattering-factor parameters.

Reads the three published parameter tables (plain CSV, one header row, one row
per element; see the data README that accompanies them):

    kirkland_2010.csv  Z,symbol,a1,b1,a2,b2,a3,b3,c1,d1,c2,d2,c3,d3,chi2   (Z 1-103)
    lobato_2014.csv    Z,symbol,a1..a5,b1..b5                                (Z 1-103)
    peng_1996.csv      Z,symbol,a1..a5,b1..b5                                (Z 1-98)

and writes, into the output folder (potentials/ of the repository):

    table_elements.c       element symbols Z 1-103 (from the Kirkland file, checked
                           against the other two)
    table_kirkland_2010.c  double sf_table_kirkland_2010[103][12]
    table_lobato_2014.c    double sf_table_lobato_2014[103][10]
    table_peng_1996.c      double sf_table_peng_1996[98][10]

The numbers are copied digit for digit from the CSV text (after checking that
each parses as a finite double), so the C tables hold exactly the published
values. The declarations live in potentials/sf_tables.h (hand written).

Usage:
    python3 tools/gen_scattering_tables.py --data-dir DIR [--out-dir potentials]

Only the Python standard library is used.
"""

import argparse
import csv
import math
import os
import sys

CITATIONS = {
    "kirkland": (
        "E. J. Kirkland, Advanced Computing in Electron Microscopy, 2nd ed.\n"
        "   (Springer, New York, 2010), Appendix C, doi:10.1007/978-1-4419-6533-2.\n"
        "   Fit of Dirac-Fock electron scattering factors over 0 <= q <= 12 1/A:\n"
        "   f_e(q) = sum_{i=1..3} a_i/(q^2 + b_i) + sum_{i=1..3} c_i exp(-d_i q^2),\n"
        "   q = 1/d in 1/A (no 2 pi), f_e in A; a_i in 1/A, b_i in 1/A^2, c_i in A, d_i in A^2."
    ),
    "lobato": (
        "I. Lobato and D. Van Dyck, \"An accurate parameterization for scattering\n"
        "   factors, electron densities and electrostatic potentials for neutral atoms\n"
        "   that obey all physical constraints\", Acta Cryst. A70, 636-649 (2014),\n"
        "   doi:10.1107/S205327331401643X. Fit of relativistic Hartree-Fock scattering\n"
        "   factors over 0 <= q <= 12 1/A:\n"
        "   f_e(q) = sum_{i=1..5} a_i (2 + b_i q^2)/(1 + b_i q^2)^2,\n"
        "   q in 1/A (no 2 pi), f_e in A; a_i in A, b_i in A^2."
    ),
    "peng": (
        "L.-M. Peng, G. Ren, S. L. Dudarev and M. J. Whelan, \"Robust parameterization\n"
        "   of elastic and absorptive electron atomic scattering factors\",\n"
        "   Acta Cryst. A52, 257-276 (1996), doi:10.1107/S0108767395014371.\n"
        "   Neutral-atom set for 0 < s < 6 1/A (s = q/2, i.e. q <= 12 1/A):\n"
        "   f_e(s) = sum_{i=1..5} a_i exp(-b_i s^2)  =>  f_e(q) = sum a_i exp(-b_i q^2/4),\n"
        "   a_i in A, b_i in A^2 (tabulated for s)."
    ),
}

SPECS = {
    # name: (file, C array, expected Z count, coefficient columns)
    "kirkland": ("kirkland_2010.csv", "sf_table_kirkland_2010", 103,
                 ["a1", "b1", "a2", "b2", "a3", "b3", "c1", "d1", "c2", "d2", "c3", "d3"]),
    "lobato": ("lobato_2014.csv", "sf_table_lobato_2014", 103,
               ["a1", "a2", "a3", "a4", "a5", "b1", "b2", "b3", "b4", "b5"]),
    "peng": ("peng_1996.csv", "sf_table_peng_1996", 98,
             ["a1", "a2", "a3", "a4", "a5", "b1", "b2", "b3", "b4", "b5"]),
}

GENERATED_NOTE = (
    "   GENERATED FILE - do not edit. Written by tools/gen_scattering_tables.py from\n"
    "   the published table %s (one row per element, values copied digit for digit).\n"
    "   Re-run the script to change it."
)


def fail(message):
    sys.stderr.write("gen_scattering_tables: %s\n" % message)
    sys.exit(1)


def read_table(path, columns, expected_count):
    """Rows of (Z, symbol, [coefficient texts]) with every check applied."""
    try:
        with open(path, newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in ["Z", "symbol"] + columns if c not in (reader.fieldnames or [])]
            if missing:
                fail("%s: missing column(s) %s" % (path, ", ".join(missing)))
            rows = []
            for line_no, row in enumerate(reader, start=2):
                try:
                    z = int(row["Z"])
                except ValueError:
                    fail("%s:%d: Z = '%s' is not an integer" % (path, line_no, row["Z"]))
                if z != len(rows) + 1:
                    fail("%s:%d: Z = %d out of sequence (expected %d)"
                         % (path, line_no, z, len(rows) + 1))
                symbol = row["symbol"].strip()
                if not symbol.isalpha() or not symbol[0].isupper() or len(symbol) > 2:
                    fail("%s:%d: symbol '%s' is not an element symbol" % (path, line_no, symbol))
                texts = []
                for c in columns:
                    text = row[c].strip()
                    try:
                        value = float(text)
                    except ValueError:
                        fail("%s:%d: %s = '%s' does not parse" % (path, line_no, c, text))
                    if not math.isfinite(value):
                        fail("%s:%d: %s = '%s' is not finite" % (path, line_no, c, text))
                    texts.append(text)
                rows.append((z, symbol, texts))
    except OSError as err:
        fail("%s: %s" % (path, err.strerror))
    if len(rows) != expected_count:
        fail("%s: %d rows, expected %d" % (path, len(rows), expected_count))
    return rows


def c_number(text):
    """The CSV text as a C double literal (unchanged digits; '1' -> '1.0')."""
    if not any(ch in text for ch in ".eE"):
        text += ".0"
    return text


def write_file(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)


def write_param_table(out_dir, name, rows):
    csv_name, array, count, columns = SPECS[name]
    lines = []
    lines.append("/* %s - %s electron scattering-factor parameters, Z = 1..%d.\n\n"
                 % ("table_" + csv_name.replace(".csv", ".c"), name.capitalize(), count))
    lines.append("   Source: " + CITATIONS[name] + "\n\n")
    lines.append(GENERATED_NOTE % csv_name + "\n\n")
    lines.append("   Row Z-1 holds, in this order: %s. */\n" % ", ".join(columns))
    lines.append('#include "potentials/sf_tables.h"\n\n')
    lines.append("const double %s[%d][%d] = {\n" % (array, count, len(columns)))
    for z, symbol, texts in rows:
        lines.append("    /* %3d %-2s */ {%s},\n" % (z, symbol, ", ".join(c_number(t) for t in texts)))
    lines.append("};\n")
    write_file(os.path.join(out_dir, "table_" + csv_name.replace(".csv", ".c")), "".join(lines))


def write_elements(out_dir, rows):
    lines = []
    lines.append("/* table_elements.c - chemical symbols of the elements Z = 1..103 (H .. Lr).\n\n")
    lines.append("   Taken from the symbol column of the Kirkland (2010) parameter table and\n"
                 "   checked against the Lobato & Van Dyck (2014) and Peng et al. (1996)\n"
                 "   tables (see table_kirkland_2010.c for the citation).\n\n")
    lines.append(GENERATED_NOTE % "kirkland_2010.csv" + " */\n")
    lines.append('#include "potentials/sf_tables.h"\n\n')
    lines.append("const char *const sf_table_element_symbols[SF_TABLE_Z_MAX + 1] = {\n")
    lines.append("    \"\", /* index 0 is not an element */\n")
    for i in range(0, len(rows), 10):
        chunk = rows[i:i + 10]
        lines.append("    " + " ".join('"%s",' % s for _, s, _ in chunk)
                     + " /* %d-%d */\n" % (chunk[0][0], chunk[-1][0]))
    lines.append("};\n")
    write_file(os.path.join(out_dir, "table_elements.c"), "".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", required=True,
                        help="folder holding kirkland_2010.csv, lobato_2014.csv, peng_1996.csv")
    parser.add_argument("--out-dir", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), os.pardir, "potentials"),
        help="where to write the C files (default: potentials/ of this repository)")
    args = parser.parse_args()

    tables = {}
    for name, (csv_name, _, count, columns) in SPECS.items():
        tables[name] = read_table(os.path.join(args.data_dir, csv_name), columns, count)

    kirkland_symbols = [s for _, s, _ in tables["kirkland"]]
    if len(set(kirkland_symbols)) != len(kirkland_symbols):
        fail("kirkland_2010.csv: duplicate symbols")
    for name in ("lobato", "peng"):
        for z, symbol, _ in tables[name]:
            if symbol != kirkland_symbols[z - 1]:
                fail("%s: Z = %d has symbol '%s', Kirkland table says '%s'"
                     % (SPECS[name][0], z, symbol, kirkland_symbols[z - 1]))

    os.makedirs(args.out_dir, exist_ok=True)
    write_elements(args.out_dir, tables["kirkland"])
    for name in SPECS:
        write_param_table(args.out_dir, name, tables[name])
    print("wrote table_elements.c and %d parameter tables to %s"
          % (len(SPECS), os.path.normpath(args.out_dir)))


if __name__ == "__main__":
    main()
