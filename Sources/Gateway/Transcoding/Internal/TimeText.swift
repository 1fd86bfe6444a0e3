/// The JSON text forms of google.protobuf.Timestamp (RFC 3339, UTC "Z" on output) and
/// google.protobuf.Duration (`"-1.5s"`).
enum TimeText {
    static let minTimestampSeconds: Int64 = -62_135_596_800  // 0001-01-01T00:00:00Z
    static let maxTimestampSeconds: Int64 = 253_402_300_799  // 9999-12-31T23:59:59Z
    static let maxDurationSeconds: Int64 = 315_576_000_000

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
    static func parseTimestamp(_ text: UnsafeRawBufferPointer) throws(TranscodingError) -> (
        seconds: Int64, nanos: Int32
    ) {
        let invalid = TranscodingError(code: .wrongType, message: "invalid RFC 3339 timestamp")
        var index = 0
        func number(_ digits: Int) throws(TranscodingError) -> Int64 {
            guard index + digits <= text.count else { throw invalid }
            var value: Int64 = 0
            for _ in 0..<digits {
                let byte = text[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { throw invalid }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
                index += 1
            }
            return value
        }
        func expect(_ characters: UInt8...) throws(TranscodingError) {
            guard index < text.count, characters.contains(text[index]) else { throw invalid }
            index += 1
        }
        let year = try number(4)
        try expect(UInt8(ascii: "-"))
        let month = try number(2)
        try expect(UInt8(ascii: "-"))
        let day = try number(2)
        try expect(UInt8(ascii: "T"), UInt8(ascii: "t"))
        let hour = try number(2)
        try expect(UInt8(ascii: ":"))
        let minute = try number(2)
        try expect(UInt8(ascii: ":"))
        let second = try number(2)
        var nanos: Int64 = 0
        if index < text.count, text[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < text.count, text[index] >= UInt8(ascii: "0"), text[index] <= UInt8(ascii: "9") {
                guard digits < 9 else { throw invalid }
                nanos = nanos * 10 + Int64(text[index] - UInt8(ascii: "0"))
                digits += 1
                index += 1
            }
            guard digits > 0 else { throw invalid }
            for _ in digits..<9 { nanos *= 10 }
        }
        guard index < text.count else { throw invalid }
        var offset: Int64 = 0
        switch text[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign: Int64 = text[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            let offsetHours = try number(2)
            try expect(UInt8(ascii: ":"))
            let offsetMinutes = try number(2)
            guard offsetHours < 24, offsetMinutes < 60 else { throw invalid }
            offset = sign * (offsetHours * 3600 + offsetMinutes * 60)
        default:
            throw invalid
        }
        guard index == text.count, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
            hour < 24, minute < 60, second < 60
        else { throw invalid }
        let seconds =
            daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
            - offset
        guard seconds >= minTimestampSeconds, seconds <= maxTimestampSeconds else {
            throw TranscodingError(code: .outOfRange, message: "timestamp out of range")
        }
        return (seconds, Int32(nanos))
    }

    /// Appends the quoted RFC 3339 form (UTC, 0, 3, 6 or 9 fraction digits).
    static func appendTimestamp(seconds: Int64, nanos: Int32, to output: inout [UInt8]) throws(TranscodingError) {
        guard seconds >= minTimestampSeconds, seconds <= maxTimestampSeconds, nanos >= 0, nanos < 1_000_000_000 else {
            throw TranscodingError(code: .malformedMessage, message: "timestamp out of range")
        }
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilFromDays(days)
        output.append(UInt8(ascii: "\""))
        appendPadded(year, digits: 4, to: &output)
        output.append(UInt8(ascii: "-"))
        appendPadded(month, digits: 2, to: &output)
        output.append(UInt8(ascii: "-"))
        appendPadded(day, digits: 2, to: &output)
        output.append(UInt8(ascii: "T"))
        appendPadded(secondOfDay / 3600, digits: 2, to: &output)
        output.append(UInt8(ascii: ":"))
        appendPadded(secondOfDay / 60 % 60, digits: 2, to: &output)
        output.append(UInt8(ascii: ":"))
        appendPadded(secondOfDay % 60, digits: 2, to: &output)
        appendFraction(nanos, to: &output)
        output.append(contentsOf: [UInt8(ascii: "Z"), UInt8(ascii: "\"")])
    }

    /// Parses `[-]seconds[.fraction]s`.
    static func parseDuration(_ text: UnsafeRawBufferPointer) throws(TranscodingError) -> (seconds: Int64, nanos: Int32)
    {
        let invalid = TranscodingError(code: .wrongType, message: "invalid duration (expected e.g. \"1.5s\")")
        guard text.count >= 2, text[text.count - 1] == UInt8(ascii: "s") else { throw invalid }
        var index = 0
        let negative = text[0] == UInt8(ascii: "-")
        if negative { index = 1 }
        var seconds: Int64 = 0
        var digits = 0
        while index < text.count - 1, text[index] >= UInt8(ascii: "0"), text[index] <= UInt8(ascii: "9") {
            seconds = seconds * 10 + Int64(text[index] - UInt8(ascii: "0"))
            guard seconds <= maxDurationSeconds else {
                throw TranscodingError(code: .outOfRange, message: "duration out of range")
            }
            digits += 1
            index += 1
        }
        guard digits > 0 else { throw invalid }
        var nanos: Int64 = 0
        if text[index] == UInt8(ascii: ".") {
            index += 1
            var fractionDigits = 0
            while index < text.count - 1, text[index] >= UInt8(ascii: "0"), text[index] <= UInt8(ascii: "9") {
                guard fractionDigits < 9 else { throw invalid }
                nanos = nanos * 10 + Int64(text[index] - UInt8(ascii: "0"))
                fractionDigits += 1
                index += 1
            }
            guard fractionDigits > 0 else { throw invalid }
            for _ in fractionDigits..<9 { nanos *= 10 }
        }
        guard index == text.count - 1 else { throw invalid }
        return negative ? (-seconds, Int32(-nanos)) : (seconds, Int32(nanos))
    }

    /// Appends the quoted form, e.g. `"-1.500s"`.
    static func appendDuration(seconds: Int64, nanos: Int32, to output: inout [UInt8]) throws(TranscodingError) {
        // `magnitude`, not `abs`: the wire can hold Int64.min seconds or Int32.min nanos, whose `abs` traps.
        guard seconds.magnitude <= maxDurationSeconds.magnitude, nanos.magnitude < 1_000_000_000,
            seconds == 0 || nanos == 0 || (seconds < 0) == (nanos < 0)
        else { throw TranscodingError(code: .malformedMessage, message: "duration out of range") }
        output.append(UInt8(ascii: "\""))
        if seconds < 0 || nanos < 0 { output.append(UInt8(ascii: "-")) }
        output.appendDecimal(seconds.magnitude)
        appendFraction(Int32(nanos.magnitude), to: &output)
        output.append(contentsOf: [UInt8(ascii: "s"), UInt8(ascii: "\"")])
    }

    private static func appendFraction(_ nanos: Int32, to output: inout [UInt8]) {
        guard nanos != 0 else { return }
        output.append(UInt8(ascii: "."))
        if nanos % 1_000_000 == 0 {
            appendPadded(Int64(nanos / 1_000_000), digits: 3, to: &output)
        } else if nanos % 1000 == 0 {
            appendPadded(Int64(nanos / 1000), digits: 6, to: &output)
        } else {
            appendPadded(Int64(nanos), digits: 9, to: &output)
        }
    }

    private static func appendPadded(_ value: Int64, digits: Int, to output: inout [UInt8]) {
        var divisor: Int64 = 1
        for _ in 1..<digits { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            output.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civilFromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
