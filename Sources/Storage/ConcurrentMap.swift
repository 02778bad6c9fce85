/// Runs `body` for every element, at most `width` at once (a store's files, keys, objects); results in the
/// elements' order. The first error cancels the rest and is thrown.
public func concurrentMap<Element: Sendable, Result: Sendable>(
    _ elements: [Element], width: Int, _ body: @escaping @Sendable (Element) async throws -> Result
) async throws -> [Result] {
    try await withThrowingTaskGroup(of: (Int, Result).self) { group in
        var results = [Result?](repeating: nil, count: elements.count)
        var next = 0
        func addNext() {
            guard next < elements.count else { return }
            let index = next
            next += 1
            group.addTask { (index, try await body(elements[index])) }
        }
        for _ in 0..<max(1, width) { addNext() }
        while let (index, result) = try await group.next() {
            results[index] = result
            addNext()
        }
        return results.map { $0! }
    }
}
