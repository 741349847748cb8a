"""Turn the scanner's format defects into findings with line numbers, in ja and en."""

from __future__ import annotations

from analyzers.findings import Finding, finding
from analyzers.scan import Block

_KIND_LABEL = {"certificate": "CERTIFICATE", "csr": "CERTIFICATE REQUEST",
               "private_key": "PRIVATE KEY", "public_key": "PUBLIC KEY", "pkcs7": "PKCS7",
               "crl": "X509 CRL"}


def _lines(lines: list[int]) -> tuple[str, str]:
    shown = ", ".join(str(n) for n in lines[:8]) + (" …" if len(lines) > 8 else "")
    return f"{shown}行目", ("line " if len(lines) == 1 else "lines ") + shown


def defect_findings(i: int, block: Block, kind: str) -> list[Finding]:
    out: list[Finding] = []
    label = block.label or _KIND_LABEL.get(kind, "CERTIFICATE")
    begin, end = f"-----BEGIN {label}-----", f"-----END {label}-----"
    for code, (lines, details) in block.defects.items():
        ja_l, en_l = _lines(lines)
        if code == "pem.leading_whitespace":
            ja = (f"{ja_l}の行頭に空白(スペース・タブ・全角スペース)があります。"
                  "BEGIN行・END行・本文の行頭の空白を削除してください。")
            en = (f"Whitespace (spaces, tabs or U+3000) at the start of {en_l}. Remove it "
                  "from the BEGIN/END lines and the body lines.")
        elif code == "pem.trailing_whitespace":
            ja = (f"{ja_l}の行末に空白があります。"
                  "BEGIN行・END行・本文の行末の空白を削除してください。")
            en = (f"Whitespace at the end of {en_l}. Remove trailing spaces from the BEGIN/END "
                  "lines and the body lines.")
        elif code == "pem.missing_end":
            ja = (f"{begin} に対応する {end} の行がありません。"
                  "最後の行までコピーされているか確認してください。")
            en = (f"{begin} has no matching {end} line. Make sure you copied everything up to "
                  "the last line.")
        elif code == "pem.label_mismatch":
            other = ", ".join(sorted(details)) or "?"
            ja = (f"BEGIN行のラベル「{block.label}」とEND行のラベル「{other}」が一致しません。"
                  "別々のファイルの行が混ざっていないか確認してください。")
            en = (f"The BEGIN label \"{block.label}\" and the END label \"{other}\" differ. "
                  "Check that lines from different files were not mixed.")
        elif code == "pem.malformed_boundary":
            why_ja, why_en = [], []
            if "dash" in details:
                why_ja.append("全角や類似のダッシュ(－ — – ‐)が使われています")
                why_en.append("lookalike dashes (－ — – ‐) are used")
            if "count" in details:
                why_ja.append("ダッシュが5個ではありません")
                why_en.append("the number of dashes is not five")
            if "keyword" in details:
                why_ja.append("BEGIN/ENDのキーワードが崩れています")
                why_en.append("the BEGIN/END keyword is mangled")
            if "no_begin" in details:
                why_ja.append("BEGIN行がありません")
                why_en.append("the BEGIN line is missing")
            ja = (f"{ja_l}: BEGIN/END行の形式が正しくありません({'、'.join(why_ja)})。"
                  f"半角で「{begin}」「{end}」と正確に書いてください。")
            en = (f"{en_l.capitalize()}: malformed BEGIN/END line ({'; '.join(why_en)}). It "
                  f"must read exactly \"{begin}\" and \"{end}\" in ASCII.")
        elif code == "pem.nonascii":
            ja = (f"{ja_l}に非ASCII文字(全角文字、ゼロ幅スペース、ノーブレークスペースなど)"
                  "があります。"
                  "Word等の文書からではなく、元のファイルからテキストエディタでコピーしてください。")
            en = (f"Non-ASCII characters (full-width letters, zero-width or no-break spaces) on "
                  f"{en_l}. Copy from the original file with a plain text editor, not from a "
                  "word-processor document.")
        elif code == "pem.bad_base64":
            ja = (f"{ja_l}: 本文が正しいBASE64ではありません(不正な文字、欠けた行、余分な文字)。"
                  "受け取ったファイルをもう一度そのままコピーしてください。")
            en = (f"{en_l.capitalize()}: the body is not valid base64 (stray characters, a lost "
                  "or extra line). Copy the file you received again, unchanged.")
        else:
            continue
        out.append(finding(code, i, ja, en))
    if block.encoding == "base64":
        what = _KIND_LABEL.get(kind, "CERTIFICATE")
        out.append(finding(
            "pem.missing_headers", i,
            f"BEGIN/END行のないBASE64データを見つけ、{kind}として解析しました。"
            f"「-----BEGIN {what}-----」と「-----END {what}-----」の行で囲んでください。",
            f"Found base64 with no BEGIN/END lines and read it as a {kind.replace('_', ' ')}. "
            f"Put it between \"-----BEGIN {what}-----\" and \"-----END {what}-----\" lines."))
    return out
