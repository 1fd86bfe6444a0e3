/// A compiled message: fields sorted by number with lookup tables by number and by JSON or proto name.
struct MessageLayout: Sendable {
    /// The fully qualified name without a leading dot.
    let fullName: String
    /// Fields in ascending number order; a field's position here is its "slot".
    let fields: [FieldLayout]
    /// JSON names and proto names → slot.
    let fieldsByName: NameTable
    /// Number → slot + 1 (0: no such field) for numbers below its count, so most lookups are one load.
    private let denseSlots: [UInt16]
    /// The names of the real oneofs, indexed by `FieldLayout.oneofIndex`.
    let oneofNames: [String]
    /// Set for google.protobuf types with a special JSON form.
    let wellKnown: WellKnownType?

    init(fullName: String, fields: [FieldLayout], oneofNames: [String], wellKnown: WellKnownType?) {
        let sorted = fields.sorted { $0.number < $1.number }
        self.fullName = fullName
        self.fields = sorted
        self.oneofNames = oneofNames
        self.wellKnown = wellKnown
        var names: [(String, Int32)] = []
        for (slot, field) in sorted.enumerated() {
            names.append((field.jsonName, Int32(slot)))
            names.append((field.protoName, Int32(slot)))
        }
        self.fieldsByName = NameTable(names)
        let denseLimit = min(Int(sorted.last?.number ?? 0) + 1, 512)
        var dense = [UInt16](repeating: 0, count: denseLimit)
        for (slot, field) in sorted.enumerated() where Int(field.number) < denseLimit {
            dense[Int(field.number)] = UInt16(slot + 1)
        }
        self.denseSlots = dense
    }

    /// The slot of the field with this number, if the message declares it.
    func slot(forNumber number: UInt64) -> Int? {
        if number < UInt64(denseSlots.count) {
            let entry = denseSlots[Int(number)]
            return entry == 0 ? nil : Int(entry) - 1
        }
        var low = 0
        var high = fields.count - 1
        while low <= high {
            let middle = (low + high) / 2
            let candidate = UInt64(fields[middle].number)
            if candidate == number { return middle }
            if candidate < number { low = middle + 1 } else { high = middle - 1 }
        }
        return nil
    }
}
