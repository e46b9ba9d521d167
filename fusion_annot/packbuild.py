"""Convert a GTF (plus protein domains) into a reference pack: `fusion-annot index` and the bundled build.

Domains for each coding transcript come from the first source that covers it:
1. a domain table the user gives (our TSV or an Ensembl BioMart export), by transcript ID or name;
2. the shipped genome-wide domain data (Ensembl 110), by unversioned transcript ID, then by transcript
   name, and only when that transcript's protein length equals the shipped one (a different model of
   the same ID would put domains on the wrong residues);
3. none: the pack says "no domain data" for that transcript, and the kinase call is `unknown`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from . import __version__
from .gtf import GtfContents, GtfTranscript, iter_genes
from .refpack import (POLICY_TAGS, Pack, PackTranscript, decode_domains, flags_for, iter_pack_transcripts,
                      merge_adjacent, unversioned, write_pack)


def protein_length_of(cds: list[tuple[int, int]], has_stop: bool) -> int:
    n = sum(e - s + 1 for s, e in cds) // 3
    return n - 1 if has_stop and n else n


@dataclass
class DomainMatcher:
    """Finds domains for a transcript from a user table and/or a shipped pack, counting how each matched."""

    user_table: object = None  # fusion_annot.domains.DomainTable
    shipped: Optional[dict] = None  # key (unversioned ID or name) -> (protein_length, [domain tuples])
    counts: dict = field(default_factory=lambda: {"user_table": 0, "shipped_by_id": 0, "shipped_by_name": 0,
                                                  "length_mismatch": 0, "none": 0})

    def domains_for(self, tid: str, tname: str, protein_length: int) -> Optional[list]:
        if self.user_table is not None and self.user_table.covers(tid, tname):
            self.counts["user_table"] += 1
            return [(r.source, r.accession, r.description, r.aa_start, r.aa_end)
                    for r in self.user_table.for_transcript(tid, tname)]
        if self.shipped:
            mismatch = False
            for key, how in ((unversioned(tid), "shipped_by_id"), (tname, "shipped_by_name")):
                entry = self.shipped.get(key)
                if entry is None:
                    continue
                if entry[0] == protein_length:
                    self.counts[how] += 1
                    return entry[1]
                mismatch = True
            if mismatch:
                self.counts["length_mismatch"] += 1
        self.counts["none"] += 1
        return None


def shipped_domains(pack: Pack) -> dict:
    """key -> (protein_length, domains) for every transcript of a pack that has domain data."""
    out: dict = {}
    for gene, records in iter_pack_transcripts(pack):
        for tid, tname, _biotype, flags, _exons, cds, stored in records:
            if stored is None:
                continue
            intervals = list(zip(cds[0::2], cds[1::2]))
            length = protein_length_of(intervals, bool(flags & 16))
            entry = (length, decode_domains(pack, stored))
            out.setdefault(unversioned(tid), entry)
            out.setdefault(tname, entry)
    return out


def _pack_transcript(tx: GtfTranscript, matcher: Optional[DomainMatcher]) -> PackTranscript:
    coding = bool(tx.cds)
    cds = merge_adjacent(tx.cds + (tx.stop_codons if coding else []))
    has_stop = coding and bool(tx.stop_codons)
    tid = f"{tx.transcript_id}.{tx.version}" if tx.version and "." not in tx.transcript_id else tx.transcript_id
    domains = None
    if coding and matcher is not None:
        domains = matcher.domains_for(tid, tx.transcript_name, protein_length_of(cds, has_stop))
    return PackTranscript(tid, tx.transcript_name, tx.biotype, flags_for(tx.tags, coding, tx.has_start_codon, has_stop),
                          merge_adjacent(tx.exons), cds, domains)


def build_pack_from_gtf(contents: GtfContents, out: str | Path, name: str, source: str,
                        matcher: Optional[DomainMatcher] = None, build: Optional[str] = None,
                        domain_label: str = "none") -> dict:
    """Write the pack of a parsed GTF; returns its header (with counts)."""
    has_tags = any(tx.tags & set(POLICY_TAGS) for tx in contents.transcripts.values())

    def genes():
        for _gene_key, txs in iter_genes(contents):
            first = txs[0]
            yield first.gene_name, first.gene_id, first.chrom, first.strand, [_pack_transcript(t, matcher) for t in txs]

    header = {
        "name": name,
        "build": build or contents.build or "GRCh38",
        "source": source,
        "tool": f"fusion-annot {__version__}",
        "domains": domain_label,
        # Said in every output row's notes when the GTF cannot name a canonical transcript (e.g. GENCODE < v35)
        "policy_note": "" if has_tags else "reference has no MANE/canonical tags: longest complete CDS used per gene",
    }
    if matcher is not None:
        header["domain_matching"] = matcher.counts  # the same dict: filled in while the genes are written
    return write_pack(out, genes(), header)
