import Foundation
import Testing
@testable import Stores

@Suite struct S3ListingTests {
    @Test func urlEncodedKeysAreDecoded() throws {
        let document = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>base%2F</Prefix>\
            <KeyCount>3</KeyCount><MaxKeys>1000</MaxKeys><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>\
            <Contents><Key>base/with+space/na%C3%AFve%20%E2%82%AC.dat</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified>\
            <ETag>&quot;abc&quot;</ETag><Size>1234</Size><StorageClass>STANDARD</StorageClass></Contents>\
            <Contents><Key>base/a%2Bb%26c%3Cd%3E</Key><LastModified>2026-01-02T03:04:05Z</LastModified><Size>0</Size></Contents>\
            <Contents><Key>base/100%25</Key><Size>7</Size><Owner><ID>x</ID></Owner></Contents>\
            </ListBucketResult>
            """
        let page = try #require(S3Listing.objectPage(document))
        #expect(page.entries.map(\.key) == ["base/with space/naïve €.dat", "base/a+b&c<d>", "base/100%"])
        #expect(page.entries.map(\.size) == [1234, 0, 7])
        #expect(page.entries[0].modified == Date(timeIntervalSince1970: 1_767_323_045))
        #expect(page.entries[1].modified == Date(timeIntervalSince1970: 1_767_323_045))
        #expect(page.entries[2].modified == nil)
        #expect(page.nextContinuationToken == nil)
    }

    @Test func plainKeysAreXMLUnescapedOnly() throws {
        let document = """
            <ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>1/a+b&amp;c==</NextContinuationToken>\
            <Contents><Key>base/a&amp;b &lt;c&gt; 100% +.txt</Key><Size>5</Size></Contents></ListBucketResult>
            """
        let page = try #require(S3Listing.objectPage(document))
        #expect(page.entries.map(\.key) == ["base/a&b <c> 100% +.txt"])
        #expect(page.nextContinuationToken == "1/a+b&c==")
    }

    @Test func emptyAndMalformedListings() {
        #expect(S3Listing.objectPage("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>")?.entries == [])
        #expect(S3Listing.objectPage("<Error><Code>x</Code></Error>") == nil)
        #expect(S3Listing.objectPage("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>") == nil)
        #expect(S3Listing.objectPage("<ListBucketResult><Contents><Key>k</Key></Contents></ListBucketResult>") == nil)
    }

    @Test func multipartUploadsAndTheirNextMarkers() throws {
        let document = """
            <ListMultipartUploadsResult><Bucket>b</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>\
            <NextKeyMarker>base%2Fz%20z</NextKeyMarker><NextUploadIdMarker>u&amp;2</NextUploadIdMarker>\
            <EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>\
            <Upload><Key>base/dump%20%2B.tar</Key><UploadId>u1</UploadId><Initiator><ID>i</ID></Initiator>\
            <Initiated>2010-11-10T20:48:33.000Z</Initiated></Upload>\
            <Upload><Key>base/z%20z</Key><UploadId>u&amp;2</UploadId></Upload></ListMultipartUploadsResult>
            """
        let page = try #require(S3Listing.uploadPage(document))
        #expect(page.uploads == [
            .init(key: "base/dump +.tar", uploadID: "u1", initiated: Date(timeIntervalSince1970: 1_289_422_113)),
            .init(key: "base/z z", uploadID: "u&2", initiated: nil),
        ])
        #expect(page.next?.keyMarker == "base/z z")
        #expect(page.next?.uploadIDMarker == "u&2")
        let last = try #require(S3Listing.uploadPage("<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>"))
        #expect(last.uploads.isEmpty && last.next == nil)
    }

    @Test func deleteDocumentEscapesKeys() {
        #expect(S3Listing.deleteDocument(keys: ["a&b", "<c>"]) == "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>"
            + "<Object><Key>a&amp;b</Key></Object><Object><Key>&lt;c&gt;</Key></Object></Delete>")
    }

    @Test func lastModifiedHeadersAreRead() {
        #expect(HTTPDate.parse("Fri, 02 Jan 2026 03:04:05 GMT") == Date(timeIntervalSince1970: 1_767_323_045))
        #expect(HTTPDate.parse("yesterday") == nil)
    }
}
