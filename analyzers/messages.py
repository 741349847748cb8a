"""Turn the scanner's format defects into findings with line numbers, in ja and en."""

from __future__ import annotations

from analyzers.findings import Finding, finding
from analyzers.scan import Block

_KIND_LABEL = {"certificate": "CERTIFICATE", "csr": "CERTIFICATE REQUEST",
               "private_key": "PRIVATE KEY", "public_key": "PUBLIC KEY", "pkcs7": "PKCS7",
               "crl": "X509 CRL"}


_KIND_JA = {"certificate": "証明書", "csr": "CSR", "pkcs7": "PKCS#7", "crl": "CRL",
            "public_key": "公開鍵", "private_key": "秘密鍵", "unknown": "データ"}


def _nonascii_kinds(details: set[str]) -> tuple[str, str]:
    ja, en = [], []
    if "bom" in details:
        ja.append("BOM(U+FEFF、バイト順マーク)")
        en.append("a byte-order mark, U+FEFF")
    if "fullwidth" in details:
        ja.append("全角文字")
        en.append("full-width letters")
    if "space" in details:
        ja.append("ゼロ幅スペース・ノーブレークスペース")
        en.append("zero-width or no-break spaces")
    if not ja or "other" in details:
        ja.append("その他の非ASCII文字")
        en.append("other non-ASCII characters")
    return "、".join(ja), ", ".join(en)


def input_findings(flags: frozenset[str]) -> list[Finding]:
    """Input-wide findings from analyzers.decode's flags."""
    out: list[Finding] = []
    if "utf16" in flags:
        out.append(finding(
            "pem.utf16", None,
            "ファイルがUTF-16(メモ帳の「Unicode」形式)で保存されています。復元して解析しましたが、"
            "OpenSSLやApache・nginxは読み込めません。「UTF-8」またはANSIで保存し直してください。",
            "The file is saved as UTF-16 (Notepad's \"Unicode\"). It was recovered and "
            "analysed, but OpenSSL, Apache and nginx cannot read it: save it again as UTF-8 "
            "or ANSI."))
    if "cr_only" in flags:
        out.append(finding(
            "pem.cr_only", None,
            "行末がCRだけです(古いMac形式)。OpenSSLはこの形式を読み込めません。"
            "改行コードをLFまたはCRLFにして保存し直してください。",
            "Lines end in a bare CR (old Mac style), which OpenSSL cannot read. Save the file "
            "again with LF or CRLF line endings."))
    if "quoted" in flags:
        out.append(finding(
            "pem.quoted", None,
            "PEMが引用符の中、または \\n を含む文字列(JSON・YAML・プログラムのコード)の中に"
            "あります。中身を復元して解析しました。ファイルとして保存するときは、引用符と \\n を"
            "取り除き、実際の改行にしてください。",
            "The PEM is inside quotes, or inside a string with literal \\n (JSON, YAML, source "
            "code). It was recovered and analysed. To save it as a file, remove the quotes and "
            "turn each \\n into a real line break."))
    return out


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
            if "prefix" in details:
                why_ja.append("BEGIN行の前に同じ行で文字があります(BEGIN行は行頭から始めてください)")
                why_en.append("text comes before BEGIN on its line (it must start the line)")
            if "suffix" in details:
                why_ja.append("END行の後ろに同じ行で文字があります")
                why_en.append("text follows END on its line")
            if "no_begin" in details:
                why_ja.append("BEGIN行がありません")
                why_en.append("the BEGIN line is missing")
            ja = (f"{ja_l}: BEGIN/END行の形式が正しくありません({'、'.join(why_ja)})。"
                  f"半角で「{begin}」「{end}」と正確に書いてください。")
            en = (f"{en_l.capitalize()}: malformed BEGIN/END line ({'; '.join(why_en)}). It "
                  f"must read exactly \"{begin}\" and \"{end}\" in ASCII.")
        elif code == "pem.nonascii":
            what_ja, what_en = _nonascii_kinds(details)
            ja = (f"{ja_l}に非ASCII文字({what_ja})があります。"
                  "Word等の文書からではなく、元のファイルからテキストエディタでコピーしてください。")
            en = (f"Non-ASCII characters ({what_en}) on {en_l}. Copy from the original file "
                  "with a plain text editor, not from a word-processor document.")
        elif code == "pem.blank_line":
            ja = (f"{ja_l}: ブロックの途中(またはEND行の直前)に空行があります。OpenSSLや多くの"
                  "サーバーはここで読み取りをやめます。BEGIN行からEND行までの空行を削除してください。")
            en = (f"{en_l.capitalize()}: an empty line inside the block (or just before its END "
                  "line). OpenSSL and most servers stop reading there; remove the empty lines "
                  "between BEGIN and END.")
        elif code == "pem.joined_lines":
            ja = (f"{ja_l}: 本文の改行が失われ、複数の行が1行(スペース区切り、またはBEGIN/END行と"
                  "同じ行)につながっています。復元して解析しましたが、サーバーは読み込めません。"
                  "元のファイルを改行を保ったままコピーしてください"
                  "(64文字ごとの改行、BEGIN行とEND行はそれぞれ単独の行)。")
            en = (f"{en_l.capitalize()}: the line breaks of the body were lost: several lines run "
                  "together (separated by spaces, or on the BEGIN/END line). It was recovered "
                  "and analysed, but servers cannot read it. Copy the original file with its "
                  "line breaks (64 characters a line, BEGIN and END on lines of their own).")
        elif code == "pem.glued_boundary":
            ja = (f"{ja_l}: END行と次のBEGIN行が1行につながっています"
                  "(-----END CERTIFICATE----------BEGIN CERTIFICATE-----)。"
                  "改行のないファイルを連結したためです。END行の後で改行してください。")
            en = (f"{en_l.capitalize()}: an END line and the next BEGIN line run together on one "
                  "line (-----END CERTIFICATE----------BEGIN CERTIFICATE-----), from joining "
                  "files that had no final newline. Put a line break after the END line.")
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
            f"BEGIN/END行のないBASE64データを見つけ、{_KIND_JA.get(kind, 'データ')}として解析しました。"
            f"「-----BEGIN {what}-----」と「-----END {what}-----」の行で囲んでください。",
            f"Found base64 with no BEGIN/END lines and read it as a {kind.replace('_', ' ')}. "
            f"Put it between \"-----BEGIN {what}-----\" and \"-----END {what}-----\" lines."))
    return out
