/// Short names, inside this module, for the generated `portico.demo.library.v1` messages.
typealias Shelf = Portico_Demo_Library_V1_Shelf
typealias Book = Portico_Demo_Library_V1_Book
typealias Genre = Portico_Demo_Library_V1_Genre
typealias Publisher = Portico_Demo_Library_V1_Publisher
