"""PubMed XML (``PubmedArticleSet``), read one article at a time.

Structured abstracts keep their ``Label`` as ``LABEL: text`` lines; ``MedlineDate``
(``1998 Dec-1999 Jan``) gives its first year; inline markup is flattened to text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from protocols.model import Author, Record, Reject
from protocols.records.build import Fields, build
from protocols.records.decoding import TextInput
from protocols.records.xmlstream import iter_elements, text_of

NAME = "pubmed-xml"


def sniff(head: str) -> bool:
    return bool(re.search(r"<(PubmedArticleSet|PubmedArticle|MedlineCitation)\b", head[:20000]))


def _fields(article) -> Fields:
    fields = Fields()
    citation = article.find("MedlineCitation")
    if citation is None:
        citation = article
    fields.add("pmid", text_of(citation.find("PMID")))
    art = citation.find("Article")
    if art is None:
        return fields
    fields.add("title", text_of(art.find("ArticleTitle")))
    fields.add("title_alt", text_of(art.find("VernacularTitle")))
    journal = art.find("Journal")
    if journal is not None:
        fields.add("journal", text_of(journal.find("Title")))
        fields.add("journal_abbrev", text_of(journal.find("ISOAbbreviation")))
        issue = journal.find("JournalIssue")
        if issue is not None:
            fields.add("volume", text_of(issue.find("Volume")))
            fields.add("issue", text_of(issue.find("Issue")))
            date = issue.find("PubDate")
            if date is not None:
                fields.add("date", text_of(date.find("Year")) or text_of(date.find("MedlineDate")))
    fields.add("date_alt", text_of(art.find("ArticleDate/Year")))
    fields.add("pages", text_of(art.find("Pagination/MedlinePgn")))
    for section in art.findall("Abstract/AbstractText"):
        label = section.get("Label")
        body = text_of(section)
        fields.add("abstract_section", f"{label}: {body}" if label and body else body)
    for author in art.findall("AuthorList/Author"):
        family = text_of(author.find("LastName")) or text_of(author.find("CollectiveName"))
        if not family:
            continue
        given = text_of(author.find("ForeName")) or text_of(author.find("Initials"))
        places = tuple(
            t for t in (text_of(a) for a in author.findall("AffiliationInfo/Affiliation")) if t
        )
        fields.authors.append(Author(family=family, given=given, affiliations=places))
        for place in places:
            fields.add("affiliation", place)
    for lang in art.findall("Language"):
        fields.add("language", text_of(lang))
    for kind in art.findall("PublicationTypeList/PublicationType"):
        fields.add("type", text_of(kind))
    for eloc in art.findall("ELocationID"):
        if eloc.get("EIdType") == "doi":
            fields.add("doi", text_of(eloc))
    for keyword in citation.findall("KeywordList/Keyword"):
        fields.add("keyword", text_of(keyword))
    for heading in citation.findall("MeshHeadingList/MeshHeading/DescriptorName"):
        fields.add("mesh", text_of(heading))
    for article_id in article.findall("PubmedData/ArticleIdList/ArticleId"):
        kind = article_id.get("IdType")
        if kind == "doi":
            fields.add("doi", text_of(article_id))
        elif kind == "pmc":
            fields.add("id:pmc", text_of(article_id))
    return fields


def parse(text: TextInput) -> Iterator[Record | Reject]:
    encoding = text.encoding_label
    for item in iter_elements(text, "PubmedArticle"):
        if isinstance(item, Reject):
            yield item
            continue
        yield build(
            _fields(item), file=text.name, line=item.sourceline or 1, fmt=NAME, encoding=encoding
        )
