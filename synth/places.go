package synth

var (
	esStreets = streets("Calle|Mayor", "Calle|Alcalá", "Gran Vía", "Calle|Serrano",
		"Calle|Príncipe de Vergara", "Paseo|de la Castellana", "Calle|Real", "Calle|Nueva",
		"Calle|Goya", "Calle|del Carmen", "Avenida|de San Vicente", "Plaza|de Colón",
		"Avenida|de Andalucía", "Avenida|de la Constitución", "Calle|Reyes Católicos",
		"Calle|Doctor Fleming", "Calle|Núñez de Balboa", "Calle|Sagasta", "Calle|Velázquez",
		"Calle|Ramón y Cajal", "Calle|Cervantes", "Calle|Bravo Murillo", "Ronda|de Sant Pere",
		"Avinguda|Diagonal", "Carrer|de l'Hospital", "Camino|de Ronda")
	esCities = cities("Madrid|Comunidad de Madrid|280|54", "Barcelona|Cataluña|080|42",
		"Valencia|Comunitat Valenciana|460|26", "Sevilla|Andalucía|410|20",
		"Zaragoza|Aragón|500|18", "Málaga|Andalucía|290|17", "Bilbao|País Vasco|480|15",
		"A Coruña|Galicia|150|11", "Palma|Illes Balears|070|15",
		"Las Palmas de Gran Canaria|Canarias|350|19", "L'Hospitalet de Llobregat|Cataluña|089|9",
		"Alcalá de Henares|Comunidad de Madrid|288|7", "Logroño|La Rioja|260|9")

	deStreets = streets("Hauptstraße", "Bahnhofstraße", "Schulstraße", "Gartenstraße",
		"Dorfstraße", "Bergstraße", "Lindenstraße", "Goethestraße", "Schillerstraße",
		"Kirchweg", "Am Markt", "Mühlenweg", "Ringstraße", "Friedrichstraße", "Königsallee",
		"Große Bleichen", "Kurfürstendamm", "Unter den Linden", "Jägerstraße",
		"Weißenseer Weg", "Straße des 17. Juni", "An der Alster", "Münchner Freiheit")
	deCities = cities("Berlin|Berlin|10", "Hamburg|Hamburg|20", "München|Bayern|80",
		"Köln|Nordrhein-Westfalen|50", "Frankfurt am Main|Hessen|60",
		"Stuttgart|Baden-Württemberg|70", "Düsseldorf|Nordrhein-Westfalen|40",
		"Leipzig|Sachsen|04", "Dresden|Sachsen|01", "Nürnberg|Bayern|90",
		"Görlitz|Sachsen|02", "Lübeck|Schleswig-Holstein|23", "Saarbrücken|Saarland|66")

	frStreets = streets("rue|de la Paix", "avenue|Victor Hugo", "rue|de la République",
		"boulevard|Jean Jaurès", "place|du Général de Gaulle", "rue|Pasteur", "allée|des Lilas",
		"rue|de l'Église", "rue|Saint-Honoré", "rue|du Faubourg Saint-Antoine",
		"avenue|Gambetta", "boulevard|Voltaire", "rue|des Écoles", "chemin|du Château",
		"avenue|de Verdun", "rue|Émile Zola", "quai|des Célestins", "impasse|des Acacias",
		"cours|Lafayette", "rue|d'Alsace-Lorraine")
	frCities = cities("Paris|Île-de-France|750|20", "Marseille|Provence-Alpes-Côte d'Azur|130|16",
		"Lyon|Auvergne-Rhône-Alpes|6900|9", "Toulouse|Occitanie|310|99",
		"Nice|Provence-Alpes-Côte d'Azur|060|99", "Nantes|Pays de la Loire|440|99",
		"Strasbourg|Grand Est|670|99", "Montpellier|Occitanie|340|99",
		"Bordeaux|Nouvelle-Aquitaine|330|99", "Lille|Hauts-de-France|590|99",
		"Saint-Étienne|Auvergne-Rhône-Alpes|420|99", "Besançon|Bourgogne-Franche-Comté|250|99")

	nlStreets = streets("Kerkstraat", "Dorpsstraat", "Molenweg", "Schoolstraat", "Stationsweg",
		"Julianastraat", "Beatrixlaan", "Wilhelminastraat", "Oranjestraat", "Damrak",
		"Prinsengracht", "Keizersgracht", "Herengracht", "Nieuwe Binnenweg", "Coolsingel",
		"Lange Voorhout", "Oudegracht", "Van Baerlestraat", "'t Zand",
		"Burgemeester de Vlugtlaan", "Sint Jansstraat")
	nlCities = cities("Amsterdam|Noord-Holland|10", "Rotterdam|Zuid-Holland|30",
		"'s-Gravenhage|Zuid-Holland|25", "Utrecht|Utrecht|35", "Eindhoven|Noord-Brabant|56",
		"Groningen|Groningen|97", "'s-Hertogenbosch|Noord-Brabant|52",
		"Tilburg|Noord-Brabant|50", "Almere|Flevoland|13", "Breda|Noord-Brabant|48",
		"Leeuwarden|Fryslân|89")

	trStreets = streets("Caddesi|Bağdat", "Bulvarı|Atatürk", "Caddesi|İstiklal",
		"Caddesi|Cumhuriyet", "Caddesi|İnönü", "Caddesi|Fevzi Çakmak", "Sokak|Gül",
		"Sokak|Lale", "Sokak|Menekşe", "Sokak|Çınar", "Caddesi|Barbaros",
		"Caddesi|Halaskargazi", "Caddesi|Bahariye", "Caddesi|Tunalı Hilmi", "Sokak|Kızılırmak",
		"Sokak|Şair Nedim", "Bulvarı|Kıbrıs Şehitleri")
	trCities = cities("Kadıköy|İstanbul|347", "Beşiktaş|İstanbul|343", "Üsküdar|İstanbul|346",
		"Çankaya|Ankara|066", "Konak|İzmir|352", "Karşıyaka|İzmir|355",
		"Osmangazi|Bursa|160", "Muratpaşa|Antalya|071", "Odunpazarı|Eskişehir|260",
		"Şahinbey|Gaziantep|270", "Ortahisar|Trabzon|610")

	elStreets = streets("Ερμού", "Σταδίου", "Πανεπιστημίου", "Αιόλου", "Αθηνάς", "Πατησίων",
		"Ακαδημίας", "Σόλωνος", "Τσιμισκή", "Εγνατίας", "Μητροπόλεως", "Αγίου Νικολάου",
		"Κολοκοτρώνη", "Καραϊσκάκη", "Ευριπίδου", "Σωκράτους", "Λεωφόρος|Βασιλίσσης Σοφίας",
		"Λεωφόρος|Κηφισίας", "Λεωφόρος|Μεσογείων", "Πλατεία|Αριστοτέλους")
	elCities = cities("Αθήνα|Αττική|10", "Πειραιάς|Αττική|18", "Θεσσαλονίκη|Κεντρική Μακεδονία|54",
		"Πάτρα|Δυτική Ελλάδα|26", "Ηράκλειο|Κρήτη|71", "Λάρισα|Θεσσαλία|41", "Βόλος|Θεσσαλία|38",
		"Ιωάννινα|Ήπειρος|45", "Χανιά|Κρήτη|73", "Καλαμάτα|Πελοπόννησος|24")

	ukStreets = streets("вул.|Хрещатик", "вул.|Шевченка", "вул.|Івана Франка",
		"вул.|Лесі Українки", "вул.|Грушевського", "вул.|Богдана Хмельницького",
		"вул.|Сагайдачного", "вул.|Саксаганського", "вул.|Січових Стрільців",
		"просп.|Незалежності", "вул.|Соборна", "вул.|Ярославів Вал", "вул.|Дерибасівська",
		"вул.|Городоцька", "вул.|Личаківська", "просп.|Свободи", "просп.|Миру",
		"вул.|Садова", "вул.|Зелена", "пров.|Шкільний", "бульв.|Лесі Українки")
	ukCities = cities("Київ|Київ|01", "Харків|Харківська область|61", "Одеса|Одеська область|65",
		"Львів|Львівська область|79", "Дніпро|Дніпропетровська область|49",
		"Запоріжжя|Запорізька область|69", "Вінниця|Вінницька область|21",
		"Івано-Франківськ|Івано-Франківська область|76", "Чернівці|Чернівецька область|58",
		"Ужгород|Закарпатська область|88", "Полтава|Полтавська область|36")

	// Japanese addresses have no street names: the town (町域) plays the part
	// of streetName and the block numbers that of streetNumber.
	jaTowns = streets("本町", "栄町", "中央", "緑町", "旭町", "幸町", "新町", "元町", "桜木町",
		"港町", "錦町", "寿町", "東町", "西町", "南町", "北町", "若葉", "春日", "住吉町",
		"八幡町", "丸の内", "大手町", "神田神保町", "梅田", "天神")
	jaCities = cities("千代田区|東京都|100", "新宿区|東京都|160", "世田谷区|東京都|154",
		"大阪市北区|大阪府|530", "横浜市中区|神奈川県|231", "名古屋市中区|愛知県|460",
		"札幌市中央区|北海道|060", "福岡市博多区|福岡県|812", "京都市中京区|京都府|604",
		"仙台市青葉区|宮城県|980", "広島市中区|広島県|730", "那覇市|沖縄県|900")
	jaBuildings = []string{"サンハイツ", "グランドメゾン", "コーポ", "ハイツ", "メゾン・ド・", "レジデンス"}

	gbStreets = streets("High Street", "Station Road", "Church Lane", "Victoria Road",
		"Green Lane", "Manor Road", "Park Avenue", "Queen's Road", "King's Road", "Mill Lane",
		"The Crescent", "St John's Road", "Church Street", "London Road", "Albert Road",
		"York Road", "Springfield Road", "Grange Road", "Windsor Close", "Orchard Way")
	gbCities = cities("London|Greater London|SW|20", "London|Greater London|N|22",
		"London|Greater London|E|18", "Manchester|Greater Manchester|M|40",
		"Birmingham|West Midlands|B|45", "Leeds|West Yorkshire|LS|29",
		"Glasgow|Scotland|G|84", "Edinburgh|Scotland|EH|55", "Cardiff|Wales|CF|24",
		"Belfast|Northern Ireland|BT|17", "Bristol|Bristol|BS|41",
		"Liverpool|Merseyside|L|38", "Newcastle upon Tyne|Tyne and Wear|NE|30")

	brStreets = streets("Rua|Augusta", "Rua|das Flores", "Rua|XV de Novembro",
		"Rua|Sete de Setembro", "Rua|Barão de Itapetininga", "Avenida|Dom Pedro II",
		"Rua|Tiradentes", "Avenida|Santos Dumont", "Avenida|Getúlio Vargas", "Avenida|Paulista",
		"Avenida|Brigadeiro Faria Lima", "Rua|da Consolação", "Rua|Oscar Freire",
		"Rua|Marechal Deodoro", "Travessa|do Comércio", "Alameda|Santos", "Praça|da Sé")
	brCities = cities("São Paulo|São Paulo|0|SP", "Rio de Janeiro|Rio de Janeiro|2|RJ",
		"Belo Horizonte|Minas Gerais|30|MG", "Salvador|Bahia|40|BA",
		"Brasília|Distrito Federal|70|DF", "Fortaleza|Ceará|60|CE", "Curitiba|Paraná|80|PR",
		"Recife|Pernambuco|50|PE", "Porto Alegre|Rio Grande do Sul|90|RS",
		"Manaus|Amazonas|69|AM", "Goiânia|Goiás|74|GO", "Florianópolis|Santa Catarina|88|SC")
)
